"""A straightforward pandas implementation of the Alkire-Foster MPI over a CSV of 0/1 columns,
equal weights, k as a share of the total weight: the baseline for `thanrak mpi --deprivations`.

    python3 bench/mpi_pandas.py FILE.csv K
"""
import json
import sys
from fractions import Fraction

import pandas as pd

path, k = sys.argv[1], Fraction(sys.argv[2])
df = pd.read_csv(path, dtype="int8")
d = df.shape[1]
w = 1.0 / d
c = df.sum(axis=1) * w
poor = c >= float(k) - 1e-9
n = len(df)
q = int(poor.sum())
h = q / n
a = float(c[poor].mean()) if q else 0.0
m0 = float(c.where(poor, 0.0).sum()) / n
uncensored = (df.sum() / n).to_dict()
censored = (df[poor].sum() / n).to_dict()
contributions = {j: w * censored[j] / m0 if m0 else 0.0 for j in df.columns}
print(json.dumps({"n": n, "q": q, "h": h, "a": a, "m0": m0, "uncensored": uncensored,
                  "censored": censored, "contributions": contributions}))

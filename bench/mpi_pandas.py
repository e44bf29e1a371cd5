"""A straightforward pandas implementation of the Alkire-Foster MPI over a CSV of 0/1 columns,
equal weights, k as a share of the total weight, overall and by a group column: the everyday
baseline for `thanrak mpi --deprivations`.

    python3 bench/mpi_pandas.py FILE.csv K [GROUP_COLUMN]
"""
import json
import sys
from fractions import Fraction

import pandas as pd

path, k = sys.argv[1], Fraction(sys.argv[2])
group = sys.argv[3] if len(sys.argv) > 3 else None
df = pd.read_csv(path, dtype={group: str} if group else None)
ind = [c for c in df.columns if c != group]
d = len(ind)
score = df[ind].sum(axis=1)
poor = score * k.denominator >= k.numerator * d


def figures(rows):
    s, p = score[rows.index], poor[rows.index]
    n, q = len(rows), int(p.sum())
    c_poor = int(s[p].sum())
    return {
        "n": n, "q": q, "h": q / n if n else 0.0,
        "a": c_poor / (d * q) if q else 0.0, "m0": c_poor / (d * n) if n else 0.0,
        "uncensored": (rows[ind].sum() / n).to_dict(),
        "censored": (rows[ind][p].sum() / n).to_dict(),
    }


out = figures(df)
if group:
    out["groups"] = {g: figures(rows) for g, rows in df.groupby(group, sort=True)}
print(json.dumps(out, default=int))

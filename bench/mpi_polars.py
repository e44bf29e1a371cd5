"""The Alkire-Foster MPI over a CSV of 0/1 columns with polars' lazy engine, overall and by a
group column: the strongest baseline for `thanrak mpi --deprivations` (the same sums, on every
core, exact in the cut-off: c >= k is decided in integers).

    python3 bench/mpi_polars.py FILE.csv K [GROUP_COLUMN]
"""
import json
import sys
from fractions import Fraction

import polars as pl

path, k = sys.argv[1], Fraction(sys.argv[2])
group = sys.argv[3] if len(sys.argv) > 3 else None
names = pl.scan_csv(path, n_rows=0).collect_schema().names()
ind = [c for c in names if c != group]
d = len(ind)
lf = pl.scan_csv(path, schema_overrides={c: pl.Int8 for c in ind} | ({group: pl.String} if group else {}))
score = pl.sum_horizontal([pl.col(c).cast(pl.Int32) for c in ind])  # c = score / d
poor = score * k.denominator >= k.numerator * d
aggs = [
    pl.len().alias("n"),
    poor.sum().alias("q"),
    pl.when(poor).then(score).otherwise(0).sum().alias("c_poor"),
    *[pl.col(c).cast(pl.Int64).sum().alias(f"u_{c}") for c in ind],
    *[pl.when(poor).then(pl.col(c)).otherwise(0).cast(pl.Int64).sum().alias(f"k_{c}") for c in ind],
]
queries = [lf.select(aggs)]
if group:
    queries.append(lf.group_by(group).agg(aggs).sort(group))
frames = pl.collect_all(queries)


def figures(row):
    n, q, c_poor = row["n"], row["q"], row["c_poor"]
    m0 = c_poor / (d * n) if n else 0.0
    return {
        "n": n, "q": q, "h": q / n if n else 0.0,
        "a": c_poor / (d * q) if q else 0.0, "m0": m0,
        "uncensored": {c: row[f"u_{c}"] / n for c in ind},
        "censored": {c: row[f"k_{c}"] / n for c in ind},
    }


out = figures(frames[0].row(0, named=True))
if group:
    out["groups"] = {r[group]: figures(r) for r in frames[1].iter_rows(named=True)}
print(json.dumps(out))

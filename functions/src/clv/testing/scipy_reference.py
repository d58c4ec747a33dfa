#!/usr/bin/env python3
"""Reference values for the CLV models, computed with SciPy, for clv/scipyReference.test.ts.

Regenerate with Debian's SciPy (python3-scipy), from the repository root:

    python3 functions/src/clv/testing/scipy_reference.py > functions/src/clv/testing/scipyReference.json

It reads the CDNOW sample from ../shared/data/cdnow/ beside the repository, summarises the
calibration period (weeks 1-39) the papers' way, fits BG/NBD and Gamma-Gamma with SciPy's own
Nelder-Mead, and evaluates, for a spread of customers and at SciPy's fitted parameters,
P(alive), expected transactions over several horizons (scipy.special.hyp2f1) and the expected
value per transaction. The formulas are written here independently of the TypeScript.
"""
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
END = dt.date(1997, 9, 30)
HORIZONS_WEEKS = [39, 90 / 7, 180 / 7, 365 / 7]


def histories():
    days = defaultdict(lambda: defaultdict(float))
    for line in DATA.read_text().splitlines():
        if not line.strip():
            continue
        _, customer, ymd, _, dollars = line.split()
        day = dt.datetime.strptime(ymd, "%Y%m%d").date()
        if day <= END:
            days[customer][day] += float(dollars)
    out = []
    for customer in sorted(days):
        dates = sorted(days[customer])
        repeat = [days[customer][d] for d in dates[1:]]
        out.append(
            dict(
                customer=customer,
                frequency=len(repeat),
                recency=(dates[-1] - dates[0]).days / 7,
                age=(END - dates[0]).days / 7,
                monetary=float(np.mean(repeat)) if repeat else 0.0,
            )
        )
    return out


def bgnbd_ll(params, x, tx, T):
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def gg_ll(params, x, m):
    p, q, g = params
    return float(
        np.sum(
            gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x)
        )
    )


def fit(ll, n):
    options = dict(xatol=1e-10, fatol=1e-10, maxiter=50000, maxfev=50000)
    res = minimize(lambda q: -ll(np.exp(q)), np.zeros(n), method="Nelder-Mead", options=options)
    return [float(v) for v in np.exp(res.x)], float(-res.fun)


def p_alive(params, h):
    r, alpha, a, b = params
    x = h["frequency"]
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + (a / (b + x - 1)) * ((alpha + h["age"]) / (alpha + h["recency"])) ** (r + x))


def expected(params, h, t):
    r, alpha, a, b = params
    x, tx, T = h["frequency"], h["recency"], h["age"]
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    third = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return float(first * second / third)


def value(params, h):
    p, q, g = params
    x, m = h["frequency"], h["monetary"]
    if x == 0:
        return g * p / (q - 1)
    return p * (g + x * m) / (p * x + q - 1)


def main():
    hs = histories()
    x = np.array([h["frequency"] for h in hs], dtype=float)
    tx = np.array([h["recency"] for h in hs])
    T = np.array([h["age"] for h in hs])
    bg, bg_ll = fit(lambda p: bgnbd_ll(p, x, tx, T), 4)
    rep = x > 0
    m = np.array([h["monetary"] for h in hs])
    gg, gg_ll_value = fit(lambda p: gg_ll(p, x[rep], m[rep]), 3)

    # A spread of customers: the first few, the most frequent, long-silent and recent repeat
    # buyers, one-time buyers of the first and last calibration weeks.
    by_freq = sorted(hs, key=lambda h: (-h["frequency"], h["customer"]))
    silent = sorted((h for h in hs if h["frequency"] > 0), key=lambda h: (h["recency"] - h["age"], h["customer"]))
    recent = sorted((h for h in hs if h["frequency"] > 0), key=lambda h: (h["age"] - h["recency"], h["customer"]))
    once = sorted((h for h in hs if h["frequency"] == 0), key=lambda h: (h["age"], h["customer"]))
    picked = {}
    for h in hs[:4] + by_freq[:3] + silent[:2] + recent[:2] + once[:1] + once[-1:]:
        picked[h["customer"]] = h
    customers = []
    for h in picked.values():
        customers.append(
            dict(
                h,
                p_alive=p_alive(bg, h),
                expected_transactions={f"{t:.6f}": expected(bg, h, t) for t in HORIZONS_WEEKS},
                expected_value=value(gg, h),
            )
        )
    json.dump(
        dict(
            generated_by="functions/src/clv/testing/scipy_reference.py",
            scipy_version=scipy.__version__,
            calibration_end=END.isoformat(),
            customers_total=len(hs),
            bgnbd=dict(r=bg[0], alpha=bg[1], a=bg[2], b=bg[3], log_likelihood=bg_ll),
            gamma_gamma=dict(p=gg[0], q=gg[1], gamma=gg[2], log_likelihood=gg_ll_value, repeat_buyers=int(rep.sum())),
            customers=customers,
        ),
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

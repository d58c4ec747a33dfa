#!/usr/bin/env python3
"""Reference values for the significance tests (functions/src/stats), computed by SciPy.

Run with Debian's python3-scipy, then format as the repository does:
    python3 functions/src/stats/testing/scipy_reference.py
    npx prettier --write functions/src/stats/testing/scipyReference.json
It writes scipyReference.json beside itself: the input data and, for each case, the exact SciPy
call and what it returned. The TypeScript test reads the JSON; it needs no Python.

The bootstrap cases cannot ask SciPy to draw the resamples (its generator is not ours), so the
script draws the same resample indices the TypeScript module draws (MT19937 seeded with
init_genrand, which is NumPy's RandomState(seed); index = floor(u * n / 2**32)), computes the
resampled statistic, and hands that distribution to scipy.stats.bootstrap (bootstrap_result,
n_resamples=0): the interval and standard error are then SciPy's own arithmetic.
"""
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20240601)


def rounded(values, digits=2):
    return [round(float(v), digits) for v in values]


def sample_sets():
    """Named samples: small, tied, heavy-tailed with zeros (like LTV), large with unequal spread."""
    return {
        "small_normal_a": rounded(rng.normal(10, 2, 7), 3),
        "small_normal_b": rounded(rng.normal(12, 3, 11), 3),
        "tiny_a": rounded(rng.normal(0, 1, 5), 4),
        "tiny_b": rounded(rng.normal(0.8, 1, 7), 4),
        "eight_no_ties": rounded(rng.normal(5, 1, 8), 5),
        "thirty_no_ties": rounded(rng.normal(5.5, 1.5, 30), 5),
        "nine_no_ties": rounded(rng.normal(1, 1, 9), 5),
        "ten_no_ties": rounded(rng.normal(0, 1, 10), 5),
        "tied_integers_a": [int(v) for v in rng.integers(0, 5, 12)],
        "tied_integers_b": [int(v) for v in rng.integers(1, 6, 15)],
        "ltv_like_a": rounded(np.where(rng.random(400) < 0.55, 0, rng.lognormal(3.2, 1.1, 400))),
        "ltv_like_b": rounded(np.where(rng.random(300) < 0.35, 0, rng.lognormal(3.9, 0.8, 300))),
        "large_a": rounded(rng.normal(100, 15, 1500), 3),
        "large_b": rounded(rng.normal(101.5, 40, 1200), 3),
        "revenue_treated": rounded(np.where(rng.random(90) < 0.8, 0, rng.lognormal(4, 0.7, 90))),
        "revenue_control": rounded(np.where(rng.random(110) < 0.88, 0, rng.lognormal(4, 0.7, 110))),
    }


def welch_case(name, x, y):
    res = stats.ttest_ind(x, y, equal_var=False)
    ci = res.confidence_interval(0.95)
    nx, ny = len(x), len(y)
    pooled = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    return {
        "name": name,
        "call": f"scipy.stats.ttest_ind({name.split(' vs ')[0]}, {name.split(' vs ')[1]}, equal_var=False)",
        "x": name.split(" vs ")[0],
        "y": name.split(" vs ")[1],
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "df": float(res.df),
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "cohens_d": float((np.mean(x) - np.mean(y)) / pooled),
    }


def mwu_case(name, x, y):
    res = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
    xa, ya = name.split(" vs ")
    return {
        "name": name,
        "call": f"scipy.stats.mannwhitneyu({xa}, {ya}, alternative='two-sided', method='auto')",
        "x": xa,
        "y": ya,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "median_x": float(np.median(x)),
        "median_y": float(np.median(y)),
    }


def proportion_case(a, na, b, nb):
    table = [[a, na - a], [b, nb - b]]
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    pa, pb = a / na, b / nb
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    z975 = float(stats.norm.ppf(0.975))
    return {
        "counts": [a, na, b, nb],
        "call": f"scipy.stats.chi2_contingency({table}, correction=False); Wald interval with scipy.stats.norm.ppf(0.975)",
        "chi_square": float(chi2),
        "pvalue": float(p),
        "ci_low": pa - pb - z975 * se,
        "ci_high": pa - pb + z975 * se,
        "cohens_h": 2 * math.asin(math.sqrt(pa)) - 2 * math.asin(math.sqrt(pb)),
    }


def threshold_case(k, n, threshold):
    above = stats.binomtest(k, n, threshold, alternative="greater")
    ci = stats.binomtest(k, n, threshold).proportion_ci(0.95, method="wilson")
    return {
        "counts": [k, n],
        "threshold": threshold,
        "call": f"scipy.stats.binomtest({k}, {n}, {threshold}, alternative='greater').pvalue; binomtest({k}, {n}, {threshold}).proportion_ci(0.95, method='wilson')",
        "pvalue_above": float(above.pvalue),
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
    }


def resample_indices(sizes, resamples, seed):
    """The TypeScript module's draws: MT19937 init_genrand(seed), floor(u * n / 2**32)."""
    raw = np.random.RandomState(seed)._bit_generator
    out = []
    for n in sizes:
        u = raw.random_raw(resamples * n).astype(np.uint64)
        out.append(((u * np.uint64(n)) >> np.uint64(32)).astype(np.int64).reshape(resamples, n))
    return out


def difference_of_means(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def mean_of_one(x, axis=-1):
    return np.mean(x, axis=axis)


def bootstrap_case(name, groups, statistic, statistic_name, resamples, seed, method):
    arrays = [np.asarray(g, dtype=float) for g in groups]
    indices = resample_indices([len(a) for a in arrays], resamples, seed)
    theta = statistic(*[a[i] for a, i in zip(arrays, indices)], axis=-1)
    res = stats.bootstrap(
        tuple(arrays),
        statistic,
        n_resamples=0,
        bootstrap_result=SimpleNamespace(bootstrap_distribution=theta),
        method=method,
        confidence_level=0.95,
        vectorized=True,
    )
    return {
        "name": name,
        "groups": name.split(" vs "),
        "statistic": statistic_name,
        "resamples": resamples,
        "seed": seed,
        "method": method.lower(),
        "call": f"scipy.stats.bootstrap(({', '.join(name.split(' vs '))},), {statistic_name}, n_resamples=0, bootstrap_result=<the resamples above>, method='{method}', confidence_level=0.95, vectorized=True)",
        "first_indices": [int(v) for v in indices[0][0][:5]],
        "distribution_mean": float(np.mean(theta)),
        "ci_low": float(res.confidence_interval.low),
        "ci_high": float(res.confidence_interval.high),
        "standard_error": float(res.standard_error),
    }


def main():
    samples = sample_sets()
    arr = {k: np.asarray(v, dtype=float) for k, v in samples.items()}
    pairs = lambda names: [(f"{a} vs {b}", arr[a], arr[b]) for a, b in names]
    welch = [
        welch_case(n, x, y)
        for n, x, y in pairs(
            [
                ("small_normal_a", "small_normal_b"),
                ("tied_integers_a", "tied_integers_b"),
                ("ltv_like_a", "ltv_like_b"),
                ("large_a", "large_b"),
                ("revenue_treated", "revenue_control"),
            ]
        )
    ]
    mwu = [
        mwu_case(n, x, y)
        for n, x, y in pairs(
            [
                ("tiny_a", "tiny_b"),
                ("eight_no_ties", "thirty_no_ties"),
                ("nine_no_ties", "ten_no_ties"),
                ("tied_integers_a", "tied_integers_b"),
                ("ltv_like_a", "ltv_like_b"),
                ("large_a", "large_b"),
                ("revenue_treated", "revenue_control"),
            ]
        )
    ]
    proportions = [
        proportion_case(*c)
        for c in [(120, 400, 85, 410), (3, 50, 1, 45), (500, 1000, 480, 1000), (1, 10000, 9, 10000), (61, 212, 38, 205)]
    ]
    thresholds = [threshold_case(*c) for c in [(12, 600, 0.05), (0, 100, 0.05), (40, 500, 0.05), (9, 9, 0.5), (3, 420, 0.05)]]
    bootstraps = [
        bootstrap_case("revenue_treated vs revenue_control", [arr["revenue_treated"], arr["revenue_control"]], difference_of_means, "difference_of_means", 2000, 7, "BCa"),
        bootstrap_case("revenue_treated vs revenue_control", [arr["revenue_treated"], arr["revenue_control"]], difference_of_means, "difference_of_means", 2000, 7, "percentile"),
        bootstrap_case("ltv_like_a vs ltv_like_b", [arr["ltv_like_a"], arr["ltv_like_b"]], difference_of_means, "difference_of_means", 999, 20240601, "BCa"),
        bootstrap_case("small_normal_b", [arr["small_normal_b"]], mean_of_one, "mean", 500, 3, "BCa"),
    ]
    out = {
        "generated_by": "functions/src/stats/testing/scipy_reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "samples": samples,
        "welch": welch,
        "mann_whitney": mwu,
        "two_proportions": proportions,
        "rate_against_threshold": thresholds,
        "bootstrap": bootstraps,
    }
    path = Path(__file__).with_name("scipyReference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} (SciPy {scipy.__version__})")


if __name__ == "__main__":
    main()

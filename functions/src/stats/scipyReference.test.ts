import { bootstrap, bootstrapDistribution, differenceOfMeans, mean } from "./index";
import { resampleIndices } from "./bootstrap";
import { mannWhitneyU } from "./mannWhitney";
import { rateAgainstThreshold, twoProportionTest } from "./proportions";
import { welchTTest } from "./welch";
import reference from "./testing/scipyReference.json";

/**
 * Every statistic and p-value against SciPy (`testing/scipy_reference.py`, which records the
 * exact call of each case), to 1e-6: absolute for values up to 1, relative beyond.
 */
const samples = reference.samples as Record<string, number[]>;
const sample = (name: string): number[] => {
  const values = samples[name];
  if (!values) throw new Error(`no sample ${name} in the fixture`);
  return values;
};

function expectClose(ours: number, theirs: number, label: string): void {
  const error = Math.abs(ours - theirs) / Math.max(1, Math.abs(theirs));
  if (!(error <= 1e-6)) throw new Error(`${label}: ours ${ours}, SciPy ${theirs}`);
}

describe("Welch's t-test equals scipy.stats.ttest_ind(equal_var=False)", () => {
  it.each(reference.welch.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = welchTTest(sample(c.x), sample(c.y));
    expectClose(r.statistic, c.statistic, "statistic");
    expectClose(r.pValue, c.pvalue, "p-value");
    expectClose(r.df, c.df, "df");
    expectClose(r.ciLow, c.ci_low, "ci low");
    expectClose(r.ciHigh, c.ci_high, "ci high");
    expectClose(r.cohensD, c.cohens_d, "Cohen's d");
  });
});

describe("the Mann-Whitney U test equals scipy.stats.mannwhitneyu(method='auto')", () => {
  it.each(reference.mann_whitney.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = mannWhitneyU(sample(c.x), sample(c.y));
    expectClose(r.statistic, c.statistic, "U");
    expectClose(r.pValue, c.pvalue, "p-value");
    expectClose(r.medianX, c.median_x, "median x");
    expectClose(r.medianY, c.median_y, "median y");
  });

  it("uses the exact distribution for the small samples without ties, as SciPy does", () => {
    expect(mannWhitneyU(sample("tiny_a"), sample("tiny_b")).method).toBe("exact");
    expect(mannWhitneyU(sample("eight_no_ties"), sample("thirty_no_ties")).method).toBe("exact");
    expect(mannWhitneyU(sample("nine_no_ties"), sample("ten_no_ties")).method).toBe("asymptotic");
    expect(mannWhitneyU(sample("tied_integers_a"), sample("tied_integers_b")).method).toBe(
      "asymptotic",
    );
  });
});

describe("the two-proportion test equals scipy.stats.chi2_contingency(correction=False)", () => {
  it.each(reference.two_proportions.map((c) => [c.counts.join("/"), c] as const))(
    "%s",
    (_name, c) => {
      const [a, na, b, nb] = c.counts as [number, number, number, number];
      const r = twoProportionTest(a, na, b, nb);
      expectClose(r.chiSquare, c.chi_square, "chi-square");
      expectClose(r.pValue, c.pvalue, "p-value");
      expectClose(r.ciLow, c.ci_low, "ci low");
      expectClose(r.ciHigh, c.ci_high, "ci high");
      expectClose(r.cohensH, c.cohens_h, "Cohen's h");
    },
  );
});

describe("a rate against a threshold equals scipy.stats.binomtest", () => {
  it.each(
    reference.rate_against_threshold.map(
      (c) => [`${c.counts.join(" of ")} vs ${c.threshold}`, c] as const,
    ),
  )("%s", (_name, c) => {
    const [k, n] = c.counts as [number, number];
    const r = rateAgainstThreshold(k, n, c.threshold);
    expectClose(r.pValueAbove, c.pvalue_above, "p-value");
    expectClose(r.ciLow, c.ci_low, "Wilson low");
    expectClose(r.ciHigh, c.ci_high, "Wilson high");
  });
});

describe("bootstrap intervals equal scipy.stats.bootstrap on the same resamples", () => {
  const statistics = { difference_of_means: differenceOfMeans, mean: (x: number[]) => mean(x) };

  it.each(reference.bootstrap.map((c) => [`${c.name}, ${c.method}`, c] as const))(
    "%s",
    (_name, c) => {
      const groups = c.groups.map(sample);
      const statistic = statistics[c.statistic as keyof typeof statistics];
      const r = bootstrap(groups, statistic as (...g: number[][]) => number, {
        resamples: c.resamples,
        seed: c.seed,
        method: c.method as "bca" | "percentile",
      });
      expectClose(r.ciLow, c.ci_low, "ci low");
      expectClose(r.ciHigh, c.ci_high, "ci high");
      expectClose(r.standardError, c.standard_error, "standard error");
    },
  );

  it("draws the same resample indices as the reference script", () => {
    for (const c of reference.bootstrap) {
      const [first] = resampleIndices([sample(c.groups[0]!).length], c.resamples, c.seed);
      expect(Array.from(first!.slice(0, 5))).toEqual(c.first_indices);
      const distribution = bootstrapDistribution(
        c.groups.map(sample),
        c.statistic === "mean" ? (x) => mean(x!) : differenceOfMeans,
        c.resamples,
        c.seed,
      );
      expectClose(mean(Array.from(distribution)), c.distribution_mean, "distribution mean");
    }
  });
});

import { formatDecimal, formatInteger, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barSpec } from "../charts/specs";
import { martRows, notInSourceSection, num, text, type Row, type SectionContext } from "./common";

/** The reactivation windows, shortest first, as the summary mart names their rates. */
const WINDOWS = [
  { label: "7 days", rate: "reactivation_rate_7d" },
  { label: "14 days", rate: "reactivation_rate_14d" },
  { label: "28 days", rate: "reactivation_rate_28d" },
] as const;

/** Percentage points, signed: 0.134 -> "+13.4 pp". */
const points = (value: unknown): string => {
  const n = typeof value === "number" ? value : Number(value);
  if (value === null || value === undefined || Number.isNaN(n)) return "–";
  return `${n >= 0 ? "+" : ""}${(100 * n).toFixed(1)} pp`;
};

const COLUMNS: readonly Column<Row>[] = [
  { header: "Campaign", key: "scope", text: (r) => text(r, "scope") },
  { header: "Treated", key: "n_a", numeric: true, text: (r) => formatInteger(r.n_a) },
  { header: "Control", key: "n_b", numeric: true, text: (r) => formatInteger(r.n_b) },
  {
    header: "Treated reactivated (28 d)",
    key: "mean_a",
    numeric: true,
    text: (r) => formatPercent(r.mean_a),
  },
  {
    header: "Control reactivated (28 d)",
    key: "mean_b",
    numeric: true,
    text: (r) => formatPercent(r.mean_b),
  },
  { header: "Uplift", key: "estimate", numeric: true, text: (r) => points(r.estimate) },
  {
    header: "95% interval",
    key: "ci",
    text: (r) => (r.ci_low === null ? "–" : `${points(r.ci_low)} to ${points(r.ci_high)}`),
  },
  { header: "p-value", key: "p_value", numeric: true, text: (r) => formatDecimal(r.p_value, 3) },
  { header: "Verdict", key: "verdict", text: (r) => text(r, "verdict") },
];

const POOLED_SQL = "select * from marts.dm_campaign_summary where campaign_id = 'All campaigns'";

const TESTS_SQL =
  "select scope, n_a, n_b, mean_a, mean_b, estimate, ci_low, ci_high, p_value, verdict\n" +
  "from marts.dm_stat_tests\n" +
  "where method = 'two_proportion_z' and metric = 'is_reactivated_28d' and slice = 'all'\n" +
  "    and scope != 'trade-off'\norder by scope = 'all campaigns', scope";

/**
 * The reactivation experiment: how often treated and control users came back within 7 / 14 / 28
 * days (every campaign pooled), each campaign's 28-day uplift with its interval and p-value, and
 * the guardrail's block rate against its threshold.
 */
export async function campaignSection(context: SectionContext): Promise<Section> {
  const absent = notInSourceSection(
    context,
    {
      id: "campaign",
      title: "Reactivation campaign",
      what: "High-risk buyers randomised into a messaged group and a control; the uplift is the difference in the share who bought within 28 days, with its 95% interval, and the guardrail's block rate against its threshold.",
      grain: "one row per campaign and every campaign pooled (the test rows of dm_stat_tests)",
    },
    ["dm_campaign_summary", "dm_stat_tests"],
  );
  if (absent) return absent;
  const pooled = await martRows(context, POOLED_SQL);
  const group = (name: string) => pooled.find((r) => text(r, "experiment_group") === name);
  const treated = group("treatment");
  const chart = context.charts.add(
    "Reactivated within each window, every campaign pooled",
    barSpec({
      data: WINDOWS.flatMap((w) =>
        ["treatment", "control"].map((g) => {
          const row = group(g);
          const rate = row ? num(row, w.rate) : null;
          return {
            window: w.label,
            experiment_group: g,
            rate,
            label: formatPercent(rate, 0),
            tip: `${g}, within ${w.label}: ${formatPercent(rate)} of ${formatInteger(row?.[`users_observed_${w.label.split(" ")[0]}d`])} users observed`,
          };
        }),
      ),
      category: { field: "window", title: null, sort: WINDOWS.map((w) => w.label) },
      value: { field: "rate", title: "Reactivated", format: ".0%" },
      colour: { field: "experiment_group", family: "experiment_group" },
      offset: "experiment_group",
      label: "label",
      vertical: true,
      width: 360,
    }),
  );
  const tests = await martRows(context, TESTS_SQL);
  const guardrail = treated
    ? `${formatPercent(treated.block_rate)} of ${formatInteger(treated.users_messaged)} messaged users blocked notifications (guardrail: at most ${formatPercent(treated.block_rate_max, 0)}; ${treated.is_block_rate_within_max === true ? "within" : "over"} it).`
    : "No campaign has run yet.";
  return {
    id: "campaign",
    title: "Reactivation campaign",
    what: `High-risk buyers randomised into a messaged group and a control; the uplift is the difference in the share who bought within 28 days, with its 95% interval (it leaves out 0 when the uplift is significant). ${guardrail}`,
    grain: "one row per campaign and every campaign pooled (the test rows of dm_stat_tests)",
    sources: ["marts.dm_campaign_summary", "marts.dm_stat_tests"],
    rows: tests.length,
    body: figureRow(chart) + table(COLUMNS, tests),
  };
}

campaignSection.queries = [POOLED_SQL, TESTS_SQL];

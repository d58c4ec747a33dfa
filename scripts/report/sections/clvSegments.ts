import { barSpec } from "../charts/specs";
import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import {
  byKnownOrder,
  martRows,
  num,
  numberColumn,
  text,
  type Row,
  type SectionContext,
} from "./common";
import { RFM_SEGMENT_ORDER } from "./rfmSegments";

/** The table's columns: the mart's per-segment figures (the report test compares them with the mart). */
export const CLV_SEGMENT_COLUMNS: readonly Column<Row>[] = [
  { header: "Segment", key: "segment", text: (r) => text(r, "segment") },
  numberColumn("Buyers", "buyers", formatInteger),
  numberColumn("Repeat buyers", "repeat_buyers", formatInteger),
  numberColumn("Revenue to date", "revenue_to_date", formatMoney),
  {
    header: "P(alive), repeat buyers",
    key: "mean_p_alive_repeat_buyers",
    numeric: true,
    text: (r) => formatPercent(r.mean_p_alive_repeat_buyers),
  },
  {
    header: "Expected purchase days, 180 d",
    key: "mean_expected_transactions_180d",
    numeric: true,
    text: (r) => formatDecimal(r.mean_expected_transactions_180d, 2),
  },
  numberColumn("Predicted revenue, 180 d", "predicted_clv_180d", formatMoney),
  numberColumn("Per buyer, 180 d", "predicted_clv_180d_per_buyer", formatMoney),
  numberColumn("Share of predicted, 180 d", "predicted_clv_180d_share", formatPercent),
  numberColumn("Predicted revenue, 365 d", "predicted_clv_365d", formatMoney),
];

const SEGMENTS_SQL =
  "select *\nfrom marts.dm_clv_segments\n" +
  "where snapshot_date = (select max(snapshot_date) from marts.dm_clv_segments)";

/** The fit the segments were predicted with, for the note under the title. */
const FIT_SQL = `-- Grain: one row, the CLV fit of the latest date with predictions per segment.
select *
from snapshots.clv_fit
where snapshot_date = (select max(snapshot_date) from marts.dm_clv_segments)
`;

/**
 * RFM segments and predicted value side by side: for the latest date with both an RFM snapshot
 * and a CLV fit, what each segment has spent, how likely its buyers are still active, and what
 * the models expect it to spend next (docs/clv.md says how to read P(alive)).
 */
export async function clvSegmentsSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, SEGMENTS_SQL);
  const sorted = byKnownOrder(rows, (r) => text(r, "segment"), RFM_SEGMENT_ORDER);
  const segments = sorted.map((r) => text(r, "segment"));
  const date = rows[0] ? text(rows[0], "snapshot_date") : "";
  const [fit] = await martRows(context, FIT_SQL);
  const tip = (r: Row) =>
    `${text(r, "segment")}: ${formatInteger(r.buyers)} buyers, predicted ${formatMoney(r.predicted_clv_180d)} ` +
    `in 180 days (${formatMoney(r.predicted_clv_180d_per_buyer)} each), revenue to date ` +
    `${formatMoney(r.revenue_to_date)}, mean P(alive) of repeat buyers ${formatPercent(r.mean_p_alive_repeat_buyers)}`;
  const bars = (key: string, title: string, format: string, label: (v: unknown) => string) =>
    context.charts.add(
      title,
      barSpec({
        data: sorted.map((r) => ({
          segment: text(r, "segment"),
          [key]: num(r, key),
          label: label(r[key]),
          tip: tip(r),
        })),
        category: { field: "segment", title: null, sort: segments },
        value: { field: key, title: null, format },
        colour: { field: "segment", family: "rfm_segment" },
        label: "label",
        width: 300,
      }),
    );
  const fitNote = fit
    ? paragraph(
        `Fitted on ${formatInteger(fit.customers)} buyers up to ${text(fit, "snapshot_date")}: ` +
          `BG/NBD r = ${formatDecimal(fit.bgnbd_r, 3)}, α = ${formatDecimal(fit.bgnbd_alpha, 2)} weeks, ` +
          `a = ${formatDecimal(fit.bgnbd_a, 3)}, b = ${formatDecimal(fit.bgnbd_b, 3)}; ` +
          (fit.gamma_gamma_p === null
            ? `no value model (${text(fit, "gamma_gamma_note")}). `
            : `Gamma-Gamma p = ${formatDecimal(fit.gamma_gamma_p, 2)}, q = ${formatDecimal(fit.gamma_gamma_q, 2)}, ` +
              `γ = ${formatDecimal(fit.gamma_gamma_gamma, 2)}; spend-frequency correlation ` +
              `${formatDecimal(fit.spend_frequency_correlation, 2)} (the value model assumes 0). `) +
          "A one-time buyer's P(alive) is 1 by the model's construction, so the chart compares repeat buyers.",
        "note",
      )
    : "";
  return {
    id: "clv-segments",
    title: `Predicted customer value per RFM segment${date ? ` on ${date}` : ""}`,
    what: "Beside each RFM segment, what the BG/NBD and Gamma-Gamma models expect its buyers to spend in the next 180 days, and how likely they are still active (P(alive)).",
    grain: "one row per RFM segment of the latest date with a CLV fit",
    sources: ["marts.dm_clv_segments", "snapshots.clv_fit"],
    rows: rows.length,
    body:
      fitNote +
      figureRow(
        bars("predicted_clv_180d_share", "Share of predicted 180-day revenue", ".0%", (v) =>
          formatPercent(v, 0),
        ),
        bars("mean_p_alive_repeat_buyers", "Mean P(alive) of repeat buyers", ".0%", (v) =>
          formatPercent(v, 0),
        ),
      ) +
      table(CLV_SEGMENT_COLUMNS, sorted, { rowData: (r) => ({ segment: text(r, "segment") }) }),
  };
}

clvSegmentsSection.queries = [SEGMENTS_SQL, FIT_SQL];

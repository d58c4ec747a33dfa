import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barChart } from "../svg";
import {
  byKnownOrder,
  martRows,
  num,
  text,
  type Row,
  type SectionContext,
  numberColumn,
} from "./common";

/** The nine segments from the best customers down (docs/rfm-segments.md). */
export const RFM_SEGMENT_ORDER = [
  "VIP Champions",
  "Loyal",
  "Promising High Value",
  "Promising Low Value",
  "Cannot Lose Them",
  "At Risk",
  "Need Attention",
  "Hibernating",
  "Lost",
];

const COLUMNS: readonly Column<Row>[] = [
  { header: "Segment", key: "segment", text: (r) => text(r, "segment") },
  numberColumn("Buyers", "users", formatInteger),
  numberColumn("Share of buyers", "user_share", formatPercent),
  numberColumn("Revenue", "revenue", formatMoney),
  numberColumn("Share of revenue", "revenue_share", formatPercent),
  numberColumn("Avg monetary", "avg_monetary", formatMoney),
  {
    header: "Avg recency (days)",
    key: "avg_recency_days",
    numeric: true,
    text: (r) => formatDecimal(r.avg_recency_days, 0),
  },
  {
    header: "Avg orders",
    key: "avg_frequency",
    numeric: true,
    text: (r) => formatDecimal(r.avg_frequency, 2),
  },
];

/** The latest RFM snapshot summarised per segment: who the buyers are and who earns the revenue. */
export async function rfmSegmentsSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(
    context,
    "select *\nfrom marts.dm_rfm_segments\n" +
      "where snapshot_date = (select max(snapshot_date) from marts.dm_rfm_segments)",
  );
  const sorted = byKnownOrder(rows, (r) => text(r, "segment"), RFM_SEGMENT_ORDER);
  const snapshot = rows[0] ? text(rows[0], "snapshot_date") : "";
  const bars = (key: string, title: string) =>
    barChart({
      title,
      bars: sorted.map((r) => ({ label: text(r, "segment"), value: num(r, key) })),
      format: (v) => formatPercent(v, 0),
      labelWidth: 150,
      width: 500,
    });
  return {
    id: "rfm-segments",
    title: `RFM segments${snapshot ? ` on ${snapshot}` : ""}`,
    what: "Buyers scored on recency, frequency and monetary value and mapped to nine segments: how many are in each, and how much of the revenue they hold.",
    grain: "one row per segment of the latest snapshot date",
    sources: ["marts.dm_rfm_segments"],
    rows: rows.length,
    body:
      figureRow(bars("user_share", "Share of buyers"), bars("revenue_share", "Share of revenue")) +
      table(COLUMNS, sorted, { rowData: (r) => ({ segment: text(r, "segment") }) }),
  };
}

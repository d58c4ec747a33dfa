import { formatInteger, formatMoney, formatPercent } from "../format";
import { table, figureRow, type Column, type Section } from "../html";
import { scatterChart } from "../svg";
import {
  byKnownOrder,
  martRows,
  num,
  segmentLabel,
  text,
  type Row,
  type SectionContext,
  numberColumn,
  knownThenUnseen,
} from "./common";

/** The segment types in the order the report shows them, with their display names. */
export const SEGMENT_TYPES: readonly { key: string; label: string }[] = [
  { key: "user_type", label: "User type" },
  { key: "consistency_tier", label: "Consistency tier (days 0-27)" },
  { key: "signup_promo", label: "Signed up on promotion" },
  { key: "marketing_source", label: "Marketing source" },
];

const SEGMENT_ORDER = ["A", "B", "C", "D", "High", "Medium", "Low", "Sparse", "Promo", "No promo"];

/** The trade-off table's measures: the column key is the mart column the cell shows. */
export const TRADEOFF_COLUMNS: readonly Column<Row>[] = [
  { header: "Segment", key: "segment", text: (r) => segmentLabel(text(r, "segment")) },
  numberColumn("Users", "users", formatInteger),
  numberColumn("Conv. 14d", "conversion_14d", formatPercent),
  numberColumn("Conv. 30d", "conversion_30d", formatPercent),
  numberColumn("LTV 180d mean", "ltv_180d_mean", formatMoney),
  numberColumn("LTV 180d median", "ltv_180d_median", formatMoney),
  numberColumn("LTV 180d P90", "ltv_180d_p90", formatMoney),
  numberColumn("Retained 90d", "retention_90d", formatPercent),
  numberColumn("Retained 180d", "retention_180d", formatPercent),
  numberColumn("Paid subscribers", "paid_subscription_share", formatPercent),
];

/** Short-term conversion against long-term value, per segment: the business question itself. */
export async function tradeoffSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(
    context,
    "select * from marts.dm_tradeoff_summary order by segment_type, segment",
  );
  const types = knownThenUnseen(
    SEGMENT_TYPES,
    rows.map((r) => text(r, "segment_type")),
  );
  const tables = types
    .map((type) => {
      const group = byKnownOrder(
        rows.filter((r) => text(r, "segment_type") === type.key),
        (r) => text(r, "segment"),
        SEGMENT_ORDER,
      );
      if (group.length === 0) return "";
      return table(TRADEOFF_COLUMNS, group, {
        caption: type.label,
        rowData: (r) => ({ "segment-type": type.key, segment: text(r, "segment") }),
      });
    })
    .join("\n");
  const chartOf = (segmentType: string, title: string) =>
    scatterChart({
      title,
      points: byKnownOrder(
        rows.filter((r) => text(r, "segment_type") === segmentType),
        (r) => text(r, "segment"),
        SEGMENT_ORDER,
      ).map((r) => ({
        label: segmentLabel(text(r, "segment")),
        x: num(r, "conversion_14d"),
        y: num(r, "ltv_180d_mean"),
      })),
      xLabel: "14-day conversion",
      yLabel: "Mean 180-day LTV",
      formatX: (v) => formatPercent(v, 0),
      formatY: (v) => formatMoney(v).replace(/\.00$/, ""),
      width: 540,
    });
  return {
    id: "tradeoff",
    title: "Fast conversion vs long-term value",
    what:
      "Do the segments that buy within 14 days of signup also retain and earn the most over 180 days? " +
      "Each rate counts only users whose window is observed.",
    grain: "one row per segment type x segment",
    sources: ["marts.dm_tradeoff_summary"],
    rows: rows.length,
    body:
      figureRow(
        chartOf("user_type", "14-day conversion against mean 180-day LTV, by user type"),
        chartOf(
          "consistency_tier",
          "14-day conversion against mean 180-day LTV, by consistency tier",
        ),
      ) + tables,
  };
}

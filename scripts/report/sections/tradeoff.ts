import { formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import { scatterSpec, type Datum } from "../charts/specs";
import type { ColourFamily } from "../palette";
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
  notInSourceSection,
} from "./common";

/** What the user types are, in one sentence: the page says it wherever types appear. */
export const USER_TYPES_EXPLAINED =
  "User types are the shop's four behaviour patterns: A converts fast (often on promotion) and fades; " +
  "B converts slower but returns on a steady rhythm and is worth the most over 180 days; " +
  "C browses a lot and buys rarely; D barely engages. Consistency tiers read how regular a user's " +
  "visits were in their first four weeks (High = evenly spaced, Low = in bursts, Sparse = under 3 active days).";

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

/** What the section is, also when the source cannot fill it. */
const SECTION = {
  id: "tradeoff",
  title: "Fast conversion vs long-term value",
  what:
    "Do the segments that buy within 14 days of signup also retain and earn the most over 180 days? " +
    "Each rate counts only users whose window is observed.",
  grain: "one row per segment type x segment",
};

const SEGMENTS_SQL = "select * from marts.dm_tradeoff_summary order by segment_type, segment";

/** Short-term conversion against long-term value, per segment: the business question itself. */
export async function tradeoffSection(context: SectionContext): Promise<Section> {
  const absent = notInSourceSection(context, SECTION, ["dm_tradeoff_summary"]);
  if (absent) return absent;
  const rows = await martRows(context, SEGMENTS_SQL);
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
  const chartOf = (segmentType: string, family: ColourFamily, title: string) => {
    const points = byKnownOrder(
      rows.filter((r) => text(r, "segment_type") === segmentType),
      (r) => text(r, "segment"),
      SEGMENT_ORDER,
    ).map((r): Datum => ({
      segment: segmentLabel(text(r, "segment")),
      conversion_14d: num(r, "conversion_14d"),
      ltv_180d_mean: num(r, "ltv_180d_mean"),
      tip:
        `${segmentLabel(text(r, "segment"))}: 14-day conversion ${formatPercent(r.conversion_14d)}, ` +
        `mean 180-day LTV ${formatMoney(r.ltv_180d_mean)}, retained 90d ${formatPercent(r.retention_90d)} ` +
        `(${formatInteger(r.users)} users)`,
    }));
    return context.charts.add(
      title,
      scatterSpec({
        data: points,
        x: { field: "conversion_14d", title: "14-day conversion", format: ".0%" },
        y: { field: "ltv_180d_mean", title: "Mean 180-day LTV", format: ",.0f" },
        label: "segment",
        family,
      }),
    );
  };
  return {
    ...SECTION,
    sources: ["marts.dm_tradeoff_summary"],
    rows: rows.length,
    body:
      paragraph(USER_TYPES_EXPLAINED, "note") +
      figureRow(
        chartOf(
          "user_type",
          "user_type",
          "14-day conversion against mean 180-day LTV, by user type",
        ),
        chartOf(
          "consistency_tier",
          "consistency_tier",
          "Conversion against LTV, by consistency of the first four weeks",
        ),
      ) +
      tables,
  };
}

tradeoffSection.queries = [SEGMENTS_SQL];

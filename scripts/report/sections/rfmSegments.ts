import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import { barSpec, type Datum } from "../charts/specs";
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

/**
 * Segment moves between the two latest daily snapshots: per buyer, the segment on the earlier
 * date (or "New buyer" when absent then) against the later one. From the snapshots dataset, which
 * BI reads like the marts.
 */
export const TRANSITIONS_SQL = `-- Grain: one row per segment on the earlier snapshot x segment on the latest snapshot.
with

latest_dates as (

    select distinct snapshot_date from snapshots.rfm_daily
    order by snapshot_date desc
    limit 2

),

bounds as (

    select min(snapshot_date) as from_date, max(snapshot_date) as to_date
    from latest_dates

),

earlier as (

    select rfm_daily.user_id, rfm_daily.segment
    from snapshots.rfm_daily
    inner join bounds on rfm_daily.snapshot_date = bounds.from_date
    where bounds.from_date < bounds.to_date

),

later as (

    select rfm_daily.user_id, rfm_daily.segment
    from snapshots.rfm_daily
    inner join bounds on rfm_daily.snapshot_date = bounds.to_date
    where bounds.from_date < bounds.to_date

),

final as (

    select
        bounds.from_date,
        bounds.to_date,
        coalesce(earlier.segment, 'New buyer') as from_segment,
        later.segment as to_segment,
        count(*) as buyers

    from later
    left join earlier on later.user_id = earlier.user_id
    cross join bounds
    group by bounds.from_date, bounds.to_date, from_segment, to_segment

)

-- Ordered so that the chart draws its cells in the same order on every run.
select * from final
order by from_segment, to_segment
`;

const SEGMENTS_SQL =
  "select *\nfrom marts.dm_rfm_segments\n" +
  "where snapshot_date = (select max(snapshot_date) from marts.dm_rfm_segments)";

/** The latest RFM snapshot summarised per segment: who the buyers are and who earns the revenue. */
export async function rfmSegmentsSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, SEGMENTS_SQL);
  const sorted = byKnownOrder(rows, (r) => text(r, "segment"), RFM_SEGMENT_ORDER);
  const snapshot = rows[0] ? text(rows[0], "snapshot_date") : "";
  const segments = sorted.map((r) => text(r, "segment"));
  const bars = (key: string, title: string) =>
    context.charts.add(
      title,
      barSpec({
        data: sorted.map((r) => ({
          segment: text(r, "segment"),
          share: num(r, key),
          label: formatPercent(r[key], 0),
          tip:
            `${text(r, "segment")}: ${formatInteger(r.users)} buyers (${formatPercent(r.user_share)}), ` +
            `${formatPercent(r.revenue_share)} of revenue, average monetary ${formatMoney(r.avg_monetary)}`,
        })),
        category: { field: "segment", title: null, sort: segments },
        value: { field: "share", title: null, format: ".0%" },
        colour: { field: "segment", family: "rfm_segment" },
        label: "label",
        width: 300,
      }),
    );
  const moves = await martRows(context, TRANSITIONS_SQL);
  const order = [...RFM_SEGMENT_ORDER, "New buyer"];
  const fromTotals = new Map<string, number>();
  for (const m of moves)
    fromTotals.set(
      text(m, "from_segment"),
      (fromTotals.get(text(m, "from_segment")) ?? 0) + (num(m, "buyers") ?? 0),
    );
  const matrix: Datum[] = moves.map((m) => {
    const from = text(m, "from_segment");
    const share = (num(m, "buyers") ?? 0) / (fromTotals.get(from) || 1);
    return {
      from_segment: from,
      to_segment: text(m, "to_segment"),
      buyers: num(m, "buyers"),
      share,
      label: formatInteger(m.buyers),
      tip: `${from} → ${text(m, "to_segment")}: ${formatInteger(m.buyers)} buyers (${formatPercent(share)} of ${from} on ${text(m, "from_date")})`,
    };
  });
  const transitions =
    moves.length === 0
      ? paragraph(
          "Segment moves need two daily snapshots; the warehouse holds one so far. Each daily run adds a snapshot, and the matrix of moves appears from the second.",
          "note",
        )
      : context.charts.add(
          `Segment moves from ${text(moves[0]!, "from_date")} to ${text(moves[0]!, "to_date")} (rows: before; columns: after; colour: share of the row)`,
          {
            width: 520,
            height: 300,
            data: { values: matrix },
            encoding: {
              x: {
                field: "to_segment",
                type: "nominal",
                sort: order,
                title: "Segment after",
                axis: { labelAngle: -35 },
              },
              y: { field: "from_segment", type: "nominal", sort: order, title: "Segment before" },
            },
            layer: [
              {
                mark: { type: "rect", stroke: "white" },
                encoding: {
                  color: {
                    field: "share",
                    type: "quantitative",
                    title: "Share of row",
                    scale: { scheme: "greens", domain: [0, 1] },
                    legend: { format: ".0%" },
                  },
                  description: { field: "tip" },
                },
              },
              {
                mark: { type: "text", fontSize: 10 },
                encoding: {
                  text: { field: "label" },
                  color: {
                    condition: { test: "datum.share > 0.5", value: "white" },
                    value: "#1d2733",
                  },
                  description: { field: "tip" },
                },
              },
            ],
          },
        );
  return {
    id: "rfm-segments",
    title: `RFM segments${snapshot ? ` on ${snapshot}` : ""}`,
    what: "Buyers scored on recency, frequency and monetary value and mapped to nine segments: how many are in each, and how much of the revenue they hold.",
    grain: "one row per segment of the latest snapshot date",
    sources: ["marts.dm_rfm_segments", "snapshots.rfm_daily"],
    rows: rows.length,
    body:
      figureRow(bars("user_share", "Share of buyers"), bars("revenue_share", "Share of revenue")) +
      figureRow(transitions) +
      table(COLUMNS, sorted, { rowData: (r) => ({ segment: text(r, "segment") }) }),
  };
}

rfmSegmentsSection.queries = [SEGMENTS_SQL, TRANSITIONS_SQL];

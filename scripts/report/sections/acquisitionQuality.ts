import { formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barSpec } from "../charts/specs";
import {
  martRows,
  num,
  text,
  type Row,
  type SectionContext,
  numberColumn,
  knownThenUnseen,
} from "./common";

const DIMENSIONS = [
  { key: "marketing_source", label: "By marketing source (every user)" },
  {
    key: "first_purchase_category",
    label: "By gateway category (the first order's main category; buyers)",
  },
];

const COLUMNS: readonly Column<Row>[] = [
  { header: "Value", key: "dimension_value", text: (r) => text(r, "dimension_value") },
  numberColumn("Users", "users", formatInteger),
  numberColumn("Buyers", "buyers", formatInteger),
  numberColumn("Buyer share", "buyer_share", formatPercent),
  numberColumn("VIP share of buyers", "vip_share_of_buyers", formatPercent),
  numberColumn("Conv. 14d", "conversion_14d", formatPercent),
  numberColumn("LTV 180d mean", "ltv_180d_mean", formatMoney),
  numberColumn("LTV 180d median", "ltv_180d_median", formatMoney),
];

const ACQUISITION_SQL =
  "select * from marts.dm_acquisition_quality order by dimension, users desc, dimension_value";

/** Which channels and which first categories bring buyers who become VIPs and earn the most. */
export async function acquisitionQualitySection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, ACQUISITION_SQL);
  const of = (dimension: string) => rows.filter((r) => text(r, "dimension") === dimension);
  const dimensions = knownThenUnseen(
    DIMENSIONS,
    rows.map((r) => text(r, "dimension")),
  );
  const chart = (dimension: string, title: string, colour: boolean) =>
    context.charts.add(
      title,
      barSpec({
        data: of(dimension).map((r) => ({
          value: text(r, "dimension_value"),
          vip: num(r, "vip_share_of_buyers"),
          label: formatPercent(r.vip_share_of_buyers, 0),
          tip:
            `${text(r, "dimension_value")}: ${formatPercent(r.vip_share_of_buyers)} of ${formatInteger(r.buyers)} buyers are VIP Champions; ` +
            `14-day conversion ${formatPercent(r.conversion_14d)}, mean 180-day LTV ${formatMoney(r.ltv_180d_mean)}`,
        })),
        category: {
          field: "value",
          title: null,
          sort: of(dimension).map((r) => text(r, "dimension_value")),
        },
        value: { field: "vip", title: "VIP share of buyers", format: ".0%" },
        ...(colour ? { colour: { field: "value", family: "marketing_source" as const } } : {}),
        label: "label",
        width: 330,
      }),
    );
  return {
    id: "acquisition-quality",
    title: "Acquisition quality",
    what: "Per marketing source and per gateway category: how many become buyers, the share of buyers who are VIP Champions now, 14-day conversion and 180-day LTV.",
    grain: "one row per dimension x value",
    sources: ["marts.dm_acquisition_quality"],
    rows: rows.length,
    body:
      figureRow(
        chart("marketing_source", "VIP share of buyers, by marketing source", true),
        chart("first_purchase_category", "VIP share of buyers, by gateway category", false),
      ) +
      dimensions
        .map((d) =>
          of(d.key).length === 0
            ? ""
            : table(COLUMNS, of(d.key), {
                caption: d.label,
                rowData: (r) => ({ dimension: d.key, value: text(r, "dimension_value") }),
              }),
        )
        .join("\n"),
  };
}

acquisitionQualitySection.queries = [ACQUISITION_SQL];

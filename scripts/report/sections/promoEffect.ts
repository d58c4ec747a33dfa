import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barSpec } from "../charts/specs";
import {
  byKnownOrder,
  martRows,
  num,
  text,
  USER_TYPES,
  type Row,
  type SectionContext,
  numberColumn,
  notInSourceSection,
} from "./common";

const COLUMNS: readonly Column<Row>[] = [
  { header: "Signup", key: "signup_promo", text: (r) => text(r, "signup_promo") },
  { header: "User type", key: "user_type", text: (r) => text(r, "user_type") },
  numberColumn("Users", "users", formatInteger),
  numberColumn("Conv. 14d", "conversion_14d", formatPercent),
  numberColumn("Conv. 30d", "conversion_30d", formatPercent),
  {
    header: "Days to convert (30d buyers)",
    key: "mean_days_to_convert_30d",
    numeric: true,
    text: (r) => formatDecimal(r.mean_days_to_convert_30d, 1),
  },
  {
    header: "Restricted mean days (30d)",
    key: "restricted_mean_days_to_purchase_30d",
    numeric: true,
    text: (r) => formatDecimal(r.restricted_mean_days_to_purchase_30d, 1),
  },
  numberColumn("Signup discount", "mean_signup_discount_rate", formatPercent),
  numberColumn("1st order discount", "mean_first_order_discount_rate", formatPercent),
  numberColumn("1st order on promo", "first_order_promo_share", formatPercent),
  numberColumn("Retained 90d", "retention_90d", formatPercent),
  numberColumn("Retained 180d", "retention_180d", formatPercent),
  numberColumn("LTV 180d mean", "ltv_180d_mean", formatMoney),
  numberColumn("LTV 180d median", "ltv_180d_median", formatMoney),
];

/** What the section is, also when the source cannot fill it. */
const SECTION = {
  id: "promo-effect",
  title: "Promotion effect",
  what: "Users who signed up during a promotion against those who did not: how fast they buy, how deep their discounts were, and their retention and 180-day LTV.",
  grain: "one row per signup promo (Promo / No promo) x user type, with an 'All' user type",
};

const PROMO_SQL = "select * from marts.dm_promo_effect";

/** Whether signing up during a promotion speeds the first purchase, and what follows it. */
export async function promoEffectSection(context: SectionContext): Promise<Section> {
  const absent = notInSourceSection(context, SECTION, ["dm_promo_effect"]);
  if (absent) return absent;
  const rows = await martRows(context, PROMO_SQL);
  const sorted = byKnownOrder(
    byKnownOrder(rows, (r) => text(r, "signup_promo"), ["Promo", "No promo"]),
    (r) => text(r, "user_type"),
    USER_TYPES,
  );
  const chart = (key: string, title: string, format: string, show: (v: unknown) => string) =>
    context.charts.add(
      title,
      barSpec({
        data: sorted.map((r) => ({
          user_type: text(r, "user_type"),
          signup_promo: text(r, "signup_promo"),
          value: num(r, key),
          tip: `Type ${text(r, "user_type")}, ${text(r, "signup_promo")} signups: ${show(r[key])} (${formatInteger(r.users)} users)`,
        })),
        category: { field: "user_type", title: "User type", sort: [...USER_TYPES] },
        value: { field: "value", title: null, format },
        colour: { field: "signup_promo", family: "signup_promo" },
        offset: "signup_promo",
        vertical: true,
        width: 280,
        height: 180,
      }),
    );
  return {
    ...SECTION,
    sources: ["marts.dm_promo_effect"],
    rows: rows.length,
    body:
      figureRow(
        chart(
          "conversion_14d",
          "14-day conversion, promo vs no-promo signups",
          ".0%",
          formatPercent,
        ),
        chart("retention_90d", "90-day retention, promo vs no-promo signups", ".0%", formatPercent),
        chart("ltv_180d_mean", "Mean 180-day LTV, promo vs no-promo signups", ",.0f", formatMoney),
      ) +
      table(COLUMNS, sorted, {
        rowData: (r) => ({
          "signup-promo": text(r, "signup_promo"),
          "user-type": text(r, "user_type"),
        }),
      }),
  };
}

promoEffectSection.queries = [PROMO_SQL];

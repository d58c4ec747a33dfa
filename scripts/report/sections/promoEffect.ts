import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { table, type Column, type Section } from "../html";
import { byKnownOrder, martRows, text, USER_TYPES, type Row, type SectionContext } from "./common";

const percent = (key: string, header: string): Column<Row> => ({
  header,
  key,
  numeric: true,
  text: (r) => formatPercent(r[key]),
});

const COLUMNS: readonly Column<Row>[] = [
  { header: "Signup", key: "signup_promo", text: (r) => text(r, "signup_promo") },
  { header: "User type", key: "user_type", text: (r) => text(r, "user_type") },
  { header: "Users", key: "users", numeric: true, text: (r) => formatInteger(r.users) },
  percent("conversion_14d", "Conv. 14d"),
  percent("conversion_30d", "Conv. 30d"),
  {
    header: "Days to 1st purchase",
    key: "mean_days_to_first_purchase",
    numeric: true,
    text: (r) => formatDecimal(r.mean_days_to_first_purchase, 1),
  },
  percent("mean_signup_discount_rate", "Signup discount"),
  percent("mean_first_order_discount_rate", "1st order discount"),
  percent("first_order_promo_share", "1st order on promo"),
  percent("retention_90d", "Retained 90d"),
  percent("retention_180d", "Retained 180d"),
  {
    header: "LTV 180d mean",
    key: "ltv_180d_mean",
    numeric: true,
    text: (r) => formatMoney(r.ltv_180d_mean),
  },
  {
    header: "LTV 180d median",
    key: "ltv_180d_median",
    numeric: true,
    text: (r) => formatMoney(r.ltv_180d_median),
  },
];

/** Whether signing up during a promotion speeds the first purchase, and what follows it. */
export async function promoEffectSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, "select * from marts.dm_promo_effect");
  const sorted = byKnownOrder(
    byKnownOrder(rows, (r) => text(r, "signup_promo"), ["Promo", "No promo"]),
    (r) => text(r, "user_type"),
    USER_TYPES,
  );
  return {
    id: "promo-effect",
    title: "Promotion effect",
    what: "Users who signed up during a promotion against those who did not: how fast they buy, how deep their discounts were, and their retention and 180-day LTV.",
    grain: "one row per signup promo (Promo / No promo) x user type, with an 'All' user type",
    sources: ["marts.dm_promo_effect"],
    rows: rows.length,
    body: table(COLUMNS, sorted, {
      rowData: (r) => ({
        "signup-promo": text(r, "signup_promo"),
        "user-type": text(r, "user_type"),
      }),
    }),
  };
}

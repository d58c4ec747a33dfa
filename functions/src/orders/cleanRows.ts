import type { DuckDBConnection } from "@duckdb/node-api";
import { OrdersInputError } from "./inputError";
import type { MappedField, OrdersMapping } from "./mapping";
import { SOURCE_TABLE } from "./stageSource";

/**
 * The cleaning rules, in the order they are tried: a row is counted under the first rule it
 * meets and dropped. `docs/orders-loader.md` explains each.
 */
export const CLEANING_RULES = [
  "missing_customer",
  "cancelled_order",
  "returned",
  "zero_quantity",
  "non_positive_price",
  "other_currency",
  "duplicate",
] as const;
export type CleaningRule = (typeof CLEANING_RULES)[number];

/** The parsed rows: `temp.orders_rows`, one per source row, `drop_rule` null when kept. */
export const ROWS_TABLE = "temp.orders_rows";

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Parses every row's mapped fields (timestamps, numbers) and applies the cleaning rules, into
 * `temp.orders_rows`. Bad input stops with the file, the first bad row and its column named:
 * a timestamp or number that does not parse, a fractional quantity, one order id used by two
 * customers, or several currencies without `keepCurrency`. Returns rows dropped per rule.
 */
export async function cleanRows(
  connection: DuckDBConnection,
  file: string,
  mapping: OrdersMapping,
): Promise<Record<CleaningRule, number>> {
  const f = mapping.fields;
  const text = (field: MappedField) =>
    f[field] ? `nullif(trim(${ident(f[field])}), '')` : "cast(null as varchar)";
  const timestamp = mapping.timestampFormat
    ? `cast(try_strptime(${text("timestamp")}, ${quote(mapping.timestampFormat)}) as timestamptz)`
    : `try_cast(${text("timestamp")} as timestamptz)`;
  const number = (field: MappedField) => `try_cast(${text(field)} as double)`;

  await connection.run(`create or replace temp table orders_parsed as
    select
        _row,
        ${text("customer_id")} as customer_id,
        ${text("order_id")} as order_id,
        ${text("timestamp")} as timestamp_text,
        ${timestamp} as order_ts,
        ${text("amount")} as amount_text,
        ${number("amount")} as amount,
        ${text("quantity")} as quantity_text,
        ${number("quantity")} as quantity,
        ${text("unit_price")} as unit_price_text,
        ${number("unit_price")} as unit_price,
        ${text("product_id")} as product_id,
        ${text("product_name")} as product_name,
        ${text("category")} as category,
        ${text("channel")} as channel,
        ${text("country")} as country,
        coalesce(${text("currency")}, '') as currency
    from ${SOURCE_TABLE}`);

  const firstBad = async (where: string): Promise<number | null> => {
    const reader = await connection.runAndReadAll(
      `select min(_row) as r from temp.orders_parsed where ${where}`,
    );
    const r = reader.getRowObjectsJson()[0]?.r;
    return r === null || r === undefined ? null : Number(r);
  };
  const stopAt = async (
    where: string,
    field: MappedField,
    problem: (row: number) => Promise<string>,
  ) => {
    const row = await firstBad(where);
    if (row !== null) throw new OrdersInputError(file, row, f[field]!, await problem(row));
  };
  const valueAt = async (row: number, column: string) => {
    const reader = await connection.runAndReadAll(
      `select ${column} as v from temp.orders_parsed where _row = ${row}`,
    );
    return String(reader.getRowObjectsJson()[0]?.v ?? "");
  };

  await stopAt("order_ts is null", "timestamp", async (row) => {
    const value = await valueAt(row, "timestamp_text");
    const format = mapping.timestampFormat ?? "ISO 8601";
    return value === "" || value === "null"
      ? "the timestamp is empty"
      : `"${value}" is not a timestamp in the format ${format}`;
  });
  for (const field of ["amount", "quantity", "unit_price"] as const) {
    if (!f[field]) continue;
    await stopAt(`${field} is null`, field, async (row) => {
      const value = await valueAt(row, `${field}_text`);
      return value === "" || value === "null"
        ? `the ${field} is empty`
        : `"${value}" is not a number`;
    });
  }
  if (f.quantity) {
    await stopAt(
      "quantity <> round(quantity)",
      "quantity",
      async (row) => `quantity ${await valueAt(row, "quantity_text")} is not a whole number`,
    );
  }
  if (f.order_id) {
    await stopAt(
      `_row in (
           select parsed._row
           from temp.orders_parsed as parsed
           inner join (
               select order_id, arg_min(customer_id, _row) as first_customer
               from temp.orders_parsed
               where customer_id is not null and order_id is not null
               group by order_id
           ) as firsts on parsed.order_id = firsts.order_id
           where parsed.customer_id <> firsts.first_customer)`,
      "order_id",
      async (row) => `order ${await valueAt(row, "order_id")} belongs to two customers`,
    );
  }
  if (f.currency && !mapping.keepCurrency) {
    await stopAt(
      "currency <> (select arg_min(currency, _row) from temp.orders_parsed)",
      "currency",
      async (row) =>
        `currency ${JSON.stringify(await valueAt(row, "currency"))} differs from the first row's; ` +
        "mixed currencies need keepCurrency in the mapping",
    );
  }

  const prefix = mapping.cancelledOrderPrefix ?? "C";
  const price = f.unit_price ? "unit_price" : "amount";
  const rule = [
    `when customer_id is null then 'missing_customer'`,
    f.order_id ? `when starts_with(order_id, ${quote(prefix)}) then 'cancelled_order'` : null,
    `when coalesce(quantity, 1) < 0 or coalesce(amount, 0) < 0 then 'returned'`,
    `when quantity = 0 then 'zero_quantity'`,
    (mapping.zeroPrices ?? "drop") === "drop"
      ? `when ${price} <= 0 then 'non_positive_price'`
      : `when ${price} < 0 then 'non_positive_price'`,
    mapping.keepCurrency
      ? `when currency <> ${quote(mapping.keepCurrency)} then 'other_currency'`
      : null,
  ]
    .filter((r) => r !== null)
    .join("\n            ");
  const fields = [
    "customer_id",
    "order_id",
    "timestamp_text",
    "amount_text",
    "quantity_text",
    "unit_price_text",
    "product_id",
    "product_name",
    "category",
    "channel",
    "country",
    "currency",
  ].join(", ");
  const duplicate =
    (mapping.duplicates ?? "drop") === "drop"
      ? `when row_number() over (partition by ${fields}, (rule is null) order by _row) > 1
                 and rule is null then 'duplicate'`
      : "";
  await connection.run(`create or replace temp table orders_rows as
    with ruled as (
        select *, case ${rule} else null end as rule
        from temp.orders_parsed
    )
    select * exclude (rule),
        case ${duplicate} when rule is not null then rule else null end as drop_rule
    from ruled`);
  await connection.run("drop table temp.orders_parsed");

  const counts = await connection.runAndReadAll(
    `select drop_rule, count(*) as n from ${ROWS_TABLE} where drop_rule is not null group by 1`,
  );
  const dropped = Object.fromEntries(CLEANING_RULES.map((r) => [r, 0])) as Record<
    CleaningRule,
    number
  >;
  for (const r of counts.getRowObjectsJson()) dropped[r.drop_rule as CleaningRule] = Number(r.n);
  return dropped;
}

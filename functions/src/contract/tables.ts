/**
 * The raw data contract: the one definition of the raw tables (SPEC's eight and the campaign
 * exposures).
 *
 * Everything that needs a table's shape derives it from here: the DuckDB DDL (`duckdbDdl.ts`),
 * the BigQuery schema JSON that Pulumi and load jobs use (`bigquerySchema.ts`), the catalog the
 * GoogleSQL analyzer checks SQL against, row validation in tests (`rowSchema.ts`) and the
 * generator's output columns. Columns may be added; none of SPEC's columns may be removed or
 * renamed.
 */
import { column } from "./column";

/** Logical column types, named as BigQuery names them. */
export type LogicalType = "STRING" | "INT64" | "FLOAT64" | "BOOL" | "DATE" | "TIMESTAMP";

export interface ColumnDef {
  readonly name: string;
  readonly type: LogicalType;
  /** `false` only where SPEC says a value may be absent (for example `order_id` off purchases). */
  readonly nullable: boolean;
  readonly description: string;
  /** Closed value set, checked by row validation and the data-quality checks. */
  readonly allowed?: readonly string[];
}

export interface ForeignKey {
  readonly column: string;
  readonly references: { readonly table: RawTableName; readonly column: string };
}

export interface TableDef {
  readonly name: RawTableName;
  readonly description: string;
  /** SPEC's grouping: dimensions (users, products, promo_calendar, subscriptions) and facts. */
  readonly kind: "dimension" | "fact";
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: string;
  readonly foreignKeys: readonly ForeignKey[];
  /**
   * The DATE or TIMESTAMP column whose UTC day is the table's BigQuery partition (DAY), its lake
   * folder (`<table>/dt=YYYY-MM-DD/`) and the unit a load replaces. Absent for the small tables
   * that every load replaces whole.
   */
  readonly partitionColumn?: string;
  /** BigQuery clustering columns, at most four, in order of filter selectivity. */
  readonly clustering: readonly string[];
  /** Large facts refuse unpartitioned scans in BigQuery so a dashboard cannot scan years by accident. */
  readonly requirePartitionFilter: boolean;
}

export const USER_TYPES = ["A", "B", "C", "D"] as const;
export const DEVICES = ["iOS", "Android", "Web"] as const;
export const MARKETING_SOURCES = ["Organic", "Paid", "Referral"] as const;
export const REGIONS = ["North", "South", "East", "West", "Central"] as const;
/** The funnel, in order. The position in this list is the step number (1..5). */
export const FUNNEL_STEPS = ["view", "click", "add_to_cart", "checkout", "purchase"] as const;
export const PLANS = ["Free", "Plus", "Premium"] as const;
export const SUBSCRIPTION_STATUSES = ["Active", "Cancelled", "Expired"] as const;
export const UPLIFT_LEVELS = ["Low", "Medium", "High"] as const;
/** The two arms of a campaign experiment. */
export const EXPERIMENT_GROUPS = ["treatment", "control"] as const;
/** Purchase-count tiers of buyers with a purchase cycle (two orders or more), as dm_churn_risk cuts them. */
export const CYCLE_TIERS = ["2", "3-4", "5+"] as const;

const col = (
  name: string,
  type: LogicalType,
  description: string,
  extra: { nullable?: boolean; allowed?: readonly string[] } = {},
): ColumnDef => column(name, type, description, extra.nullable, extra.allowed);

const fk = (column: string, table: RawTableName, refColumn = column): ForeignKey => ({
  column,
  references: { table, column: refColumn },
});

export const RAW_TABLE_NAMES = [
  "users",
  "products",
  "promo_calendar",
  "sessions",
  "events",
  "orders",
  "order_items",
  "subscriptions",
  "campaign_exposures",
] as const;
export type RawTableName = (typeof RAW_TABLE_NAMES)[number];

export const RAW_TABLES: Readonly<Record<RawTableName, TableDef>> = {
  users: {
    name: "users",
    description: "One row per registered user, with the attributes known at signup.",
    kind: "dimension",
    primaryKey: "user_id",
    foreignKeys: [],
    partitionColumn: "signup_date",
    clustering: ["user_type", "marketing_source"],
    requirePartitionFilter: false,
    columns: [
      col("user_id", "STRING", "User key, `U` followed by a zero-padded number."),
      col("signup_date", "DATE", "UTC day of registration; day 0 of every KPI window."),
      col("user_type", "STRING", "Latent behaviour type planted by the generator.", {
        allowed: USER_TYPES,
      }),
      col("device", "STRING", "Device used at signup.", { allowed: DEVICES }),
      col("region", "STRING", "Shipping region.", { allowed: REGIONS }),
      col("marketing_source", "STRING", "Acquisition channel.", { allowed: MARKETING_SOURCES }),
      col(
        "anomaly_flag",
        "BOOL",
        "True for bot-like or test accounts; marts exclude them and QA reports them.",
      ),
    ],
  },
  products: {
    name: "products",
    description: "The catalogue: one row per product.",
    kind: "dimension",
    primaryKey: "product_id",
    foreignKeys: [],
    clustering: ["category"],
    requirePartitionFilter: false,
    columns: [
      col("product_id", "STRING", "Product key."),
      col("product_name", "STRING", "Display name."),
      col("category", "STRING", "Merchandising category; categories have seasonality."),
      col("brand", "STRING", "Brand name."),
      col("price", "FLOAT64", "List price in the shop currency, rounded to cents."),
      col("rating_avg", "FLOAT64", "Average customer rating, 1.0 to 5.0."),
      col("is_new_arrival", "BOOL", "Listed as a new arrival."),
    ],
  },
  promo_calendar: {
    name: "promo_calendar",
    description: "Promotions: each applies a discount to every order placed between its dates.",
    kind: "dimension",
    primaryKey: "promo_id",
    foreignKeys: [],
    clustering: [],
    requirePartitionFilter: false,
    columns: [
      col("promo_id", "STRING", "Promotion key."),
      col("promo_name", "STRING", "Display name."),
      col("start_date", "DATE", "First UTC day of the promotion, inclusive."),
      col("end_date", "DATE", "Last UTC day of the promotion, inclusive."),
      col("uplift_level", "STRING", "Planned strength of the conversion lift.", {
        allowed: UPLIFT_LEVELS,
      }),
      col("discount_rate", "FLOAT64", "Discount applied to list prices, 0 to 1."),
    ],
  },
  sessions: {
    name: "sessions",
    description: "One row per visit. Raw log: revisit and retention are computed in marts.",
    kind: "fact",
    primaryKey: "session_id",
    foreignKeys: [fk("user_id", "users"), fk("promo_id", "promo_calendar")],
    partitionColumn: "session_start_ts",
    clustering: ["user_id"],
    requirePartitionFilter: true,
    columns: [
      col("session_id", "STRING", "Session key."),
      col("user_id", "STRING", "Visiting user."),
      col("session_start_ts", "TIMESTAMP", "Start of the visit, UTC."),
      col("user_type", "STRING", "User type at the time of the visit (snapshot).", {
        allowed: USER_TYPES,
      }),
      col("device", "STRING", "Device of this visit (snapshot).", { allowed: DEVICES }),
      col("is_promo", "BOOL", "The visit started during a promotion."),
      col("discount_rate", "FLOAT64", "The promotion's discount, 0 when none."),
      col("promo_id", "STRING", "The promotion running, when `is_promo`.", { nullable: true }),
    ],
  },
  events: {
    name: "events",
    description: "Funnel events: view, click, add_to_cart, checkout, purchase, in that order.",
    kind: "fact",
    primaryKey: "event_id",
    foreignKeys: [
      fk("user_id", "users"),
      fk("session_id", "sessions"),
      fk("order_id", "orders"),
      fk("product_id", "products"),
      fk("promo_id", "promo_calendar"),
    ],
    partitionColumn: "event_ts",
    clustering: ["user_id", "event_type"],
    requirePartitionFilter: true,
    columns: [
      col("event_id", "STRING", "Event key."),
      col("user_id", "STRING", "Acting user."),
      col("event_ts", "TIMESTAMP", "When the event happened, UTC."),
      col("event_type", "STRING", "Funnel step.", { allowed: FUNNEL_STEPS }),
      col("session_id", "STRING", "Session the event belongs to."),
      col("device", "STRING", "Device of the session.", { allowed: DEVICES }),
      col("order_id", "STRING", "The order a purchase created; null on every other step.", {
        nullable: true,
      }),
      col("product_id", "STRING", "Product the step concerns.", { nullable: true }),
      col("is_promo", "BOOL", "The event happened during a promotion."),
      col("discount_rate", "FLOAT64", "The promotion's discount, 0 when none."),
      col("promo_id", "STRING", "The promotion running, when `is_promo`.", { nullable: true }),
    ],
  },
  orders: {
    name: "orders",
    description: "One row per order; exactly one purchase event per order.",
    kind: "fact",
    primaryKey: "order_id",
    foreignKeys: [fk("user_id", "users"), fk("promo_id", "promo_calendar")],
    partitionColumn: "order_ts",
    clustering: ["user_id"],
    requirePartitionFilter: false,
    columns: [
      col("order_id", "STRING", "Order key."),
      col("user_id", "STRING", "Buying user."),
      col("order_ts", "TIMESTAMP", "Time of the purchase event, UTC."),
      col("is_promo", "BOOL", "Placed during a promotion."),
      col("discount_rate", "FLOAT64", "The promotion's discount, 0 when none."),
      col("promo_id", "STRING", "The promotion running, when `is_promo`.", { nullable: true }),
    ],
  },
  order_items: {
    name: "order_items",
    description: "Order lines. `line_amount` is revenue after discount.",
    kind: "fact",
    primaryKey: "order_item_id",
    foreignKeys: [fk("order_id", "orders"), fk("user_id", "users"), fk("product_id", "products")],
    partitionColumn: "order_date",
    clustering: ["product_id"],
    requirePartitionFilter: false,
    columns: [
      col("order_item_id", "STRING", "Order line key."),
      col("order_id", "STRING", "Order the line belongs to."),
      col("user_id", "STRING", "Buying user."),
      col("product_id", "STRING", "Product bought."),
      col("quantity", "INT64", "Units, at least 1."),
      col("unit_price", "FLOAT64", "List price per unit."),
      col("is_promo", "BOOL", "Bought during a promotion."),
      col("discount_rate", "FLOAT64", "Discount applied, 0 when none."),
      col("final_unit_price", "FLOAT64", "round(unit_price * (1 - discount_rate), 2)."),
      col("line_amount", "FLOAT64", "final_unit_price * quantity, rounded to cents."),
      col(
        "order_date",
        "DATE",
        "UTC day of the order (added to the contract so lines partition with their order).",
      ),
    ],
  },
  subscriptions: {
    name: "subscriptions",
    description:
      "One row per user (Free included, id `SUB_{user_id}`): the plan as of the end of the data. An outcome of engagement, never a driver of it.",
    kind: "dimension",
    primaryKey: "subscription_id",
    foreignKeys: [fk("user_id", "users")],
    clustering: ["plan", "status"],
    requirePartitionFilter: false,
    columns: [
      col("subscription_id", "STRING", "`SUB_` followed by the user_id."),
      col("user_id", "STRING", "Subscribing user."),
      col("plan", "STRING", "Plan tier.", { allowed: PLANS }),
      col("start_date", "DATE", "First day of the current plan."),
      col("end_date", "DATE", "Last day of a cancelled or expired plan.", { nullable: true }),
      col("status", "STRING", "Plan status at the end of the data.", {
        allowed: SUBSCRIPTION_STATUSES,
      }),
      col("monthly_fee", "FLOAT64", "Monthly fee; 0 for Free."),
    ],
  },
  campaign_exposures: {
    name: "campaign_exposures",
    description:
      "One row per reactivation campaign and targeted user: the group the user was randomised into (within the purchase-count tier) and, for the treatment group, when the message was sent, opened and made the user block notifications. Targeted users are on the tier-Q3 reactivation list the day before the campaign.",
    kind: "fact",
    primaryKey: "exposure_id",
    foreignKeys: [fk("user_id", "users")],
    partitionColumn: "campaign_date",
    clustering: ["campaign_id", "experiment_group", "user_id"],
    requirePartitionFilter: false,
    columns: [
      col("exposure_id", "STRING", "Key: the campaign id, `-` and the user id."),
      col("campaign_id", "STRING", "Campaign key, `RC` + year + `-` + month (`RC2024-04`)."),
      col(
        "campaign_date",
        "DATE",
        "UTC day the campaign runs: messages go out on it; eligibility reads only the days before it.",
      ),
      col("user_id", "STRING", "Targeted user."),
      col("experiment_group", "STRING", "treatment (sent the message) or control (not sent).", {
        allowed: EXPERIMENT_GROUPS,
      }),
      col(
        "purchase_count_tier",
        "STRING",
        "The user's purchase-count tier the day before the campaign: the stratum of the randomisation.",
        { allowed: CYCLE_TIERS },
      ),
      col(
        "category",
        "STRING",
        "The user's top category before the campaign (most viewed): the one the message names for the treatment group, the one it would have named for the control.",
      ),
      col("sent_at", "TIMESTAMP", "When the message was sent; null for the control group.", {
        nullable: true,
      }),
      col("opened_at", "TIMESTAMP", "When the message was opened (that day); null otherwise.", {
        nullable: true,
      }),
      col(
        "blocked_at",
        "TIMESTAMP",
        "When the user blocked notifications after the message (that day); null otherwise.",
        { nullable: true },
      ),
    ],
  },
};

/** The tables in the contract's order (dimensions, raw logs, transactions, outcome). */
export const RAW_TABLE_LIST: readonly TableDef[] = RAW_TABLE_NAMES.map((n) => RAW_TABLES[n]);

export function tableDef(name: string): TableDef {
  const def = (RAW_TABLES as Record<string, TableDef | undefined>)[name];
  if (!def)
    throw new Error(`Unknown raw table "${name}"; the contract has ${RAW_TABLE_NAMES.join(", ")}`);
  return def;
}

export function columnDef(table: RawTableName, column: string): ColumnDef {
  const def = RAW_TABLES[table].columns.find((c) => c.name === column);
  if (!def) throw new Error(`Unknown column ${table}.${column}`);
  return def;
}

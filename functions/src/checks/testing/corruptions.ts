import type { RawTableName } from "../../contract";

/**
 * One way to break the fixture shop, and the checks that must notice. `expect` is the complete set
 * of failing checks: a corruption that trips an unrelated check as well is a test failure, so each
 * check is shown to fail for its own reason and not by accident.
 */
export interface Corruption {
  readonly name: string;
  /** DuckDB statements applied to the loaded fixture. */
  readonly sql: readonly string[];
  /** Rebuild this table without its primary key first (DuckDB enforces keys; BigQuery does not). */
  readonly withoutPrimaryKey?: RawTableName;
  readonly expect: readonly string[];
}

const duplicate = (
  table: RawTableName,
  key: string,
  value: string,
  alsoExpect: string[] = [],
): Corruption => ({
  name: `a duplicate ${table}.${key}`,
  withoutPrimaryKey: table,
  sql: [`insert into raw.${table} select * from raw.${table} where ${key} = '${value}'`],
  expect: [`primary_key_${table}`, ...alsoExpect],
});

const dangling = (
  table: RawTableName,
  key: string,
  keyValue: string,
  column: string,
  value: string,
  alsoExpect: string[] = [],
): Corruption => ({
  name: `a dangling ${table}.${column}`,
  sql: [`update raw.${table} set ${column} = '${value}' where ${key} = '${keyValue}'`],
  expect: [`foreign_key_${table}_${column}`, ...alsoExpect],
});

export const CORRUPTIONS: readonly Corruption[] = [
  // Primary keys: a second copy of one row.
  duplicate("users", "user_id", "U003"),
  duplicate("products", "product_id", "P02"),
  duplicate("promo_calendar", "promo_id", "PR2"),
  duplicate("sessions", "session_id", "S004"),
  duplicate("events", "event_id", "E015"),
  duplicate("orders", "order_id", "O001"),
  duplicate("order_items", "order_item_id", "OI003"),
  duplicate("subscriptions", "subscription_id", "SUB_U003", ["subscription_per_user"]),
  duplicate("campaign_exposures", "exposure_id", "RC2024-03-U002", ["campaign_exposure_per_user"]),

  // Foreign keys: a reference to a row that does not exist.
  dangling("sessions", "session_id", "S004", "user_id", "U999", ["event_matches_session"]),
  dangling("sessions", "session_id", "S002", "promo_id", "PR9", ["promo_attributes"]),
  dangling("events", "event_id", "E015", "user_id", "U999", ["event_matches_session"]),
  dangling("events", "event_id", "E015", "session_id", "S999"),
  dangling("events", "event_id", "E005", "order_id", "O999", ["purchase_order_one_to_one"]),
  dangling("events", "event_id", "E001", "product_id", "P99"),
  dangling("events", "event_id", "E006", "promo_id", "PR9", ["promo_attributes"]),
  dangling("orders", "order_id", "O001", "user_id", "U999", [
    "purchase_order_one_to_one",
    "order_item_matches_order",
  ]),
  dangling("orders", "order_id", "O002", "promo_id", "PR9", ["promo_attributes"]),
  dangling("order_items", "order_item_id", "OI003", "order_id", "O999"),
  dangling("order_items", "order_item_id", "OI003", "user_id", "U999", [
    "order_item_matches_order",
  ]),
  dangling("order_items", "order_item_id", "OI003", "product_id", "P99"),
  dangling("subscriptions", "subscription_id", "SUB_U003", "user_id", "U999", [
    "subscription_per_user",
  ]),
  dangling("campaign_exposures", "exposure_id", "RC2024-03-U002", "user_id", "U999", [
    "campaign_exposure_per_user",
    "campaign_exposure_eligible",
  ]),

  // Closed value sets.
  {
    name: "an unknown device on a user",
    sql: [`update raw.users set device = 'Tablet' where user_id = 'U002'`],
    expect: ["allowed_values_users"],
  },
  {
    name: "an unknown uplift level",
    sql: [`update raw.promo_calendar set uplift_level = 'Extreme' where promo_id = 'PR1'`],
    expect: ["allowed_values_promo_calendar"],
  },
  {
    name: "an unknown user type on a session",
    sql: [`update raw.sessions set user_type = 'E' where session_id = 'S001'`],
    expect: ["allowed_values_sessions"],
  },
  {
    name: "an unknown device on an event",
    sql: [`update raw.events set device = 'Tablet' where event_id = 'E015'`],
    expect: ["allowed_values_events", "event_matches_session"],
  },
  {
    name: "an unknown event type",
    sql: [
      `insert into raw.events select * replace ('E099' as event_id, 'hover' as event_type)
       from raw.events where event_id = 'E015'`,
    ],
    expect: ["allowed_values_events", "funnel_step_order"],
  },
  {
    name: "an unknown plan",
    sql: [`update raw.subscriptions set plan = 'Gold' where user_id = 'U001'`],
    expect: ["allowed_values_subscriptions"],
  },

  // The funnel.
  {
    name: "a click without a view",
    sql: [`delete from raw.events where event_id = 'E006'`],
    expect: ["funnel_step_order"],
  },
  {
    name: "a checkout before the add to cart",
    sql: [
      `update raw.events set event_ts = timestamptz '2024-02-03 08:05:00+00' where event_id = 'E019'`,
    ],
    expect: ["funnel_step_order"],
  },

  // order_id on purchases only.
  {
    name: "an order_id on a view",
    sql: [`update raw.events set order_id = 'O001' where event_id = 'E001'`],
    expect: ["order_id_only_on_purchase"],
  },
  {
    name: "a purchase without an order_id",
    sql: [`update raw.events set order_id = null where event_id = 'E005'`],
    expect: ["order_id_only_on_purchase", "purchase_order_one_to_one"],
  },

  // Purchase events 1:1 with orders.
  {
    name: "a purchase whose order is missing",
    sql: [
      `delete from raw.order_items where order_id = 'O003'`,
      `delete from raw.orders where order_id = 'O003'`,
    ],
    // Without O003, U002 has one order and is no longer eligible for the March campaign.
    expect: [
      "foreign_key_events_order_id",
      "purchase_order_one_to_one",
      "campaign_exposure_eligible",
    ],
  },
  {
    name: "two purchase events for one order",
    sql: [
      `insert into raw.events select * replace ('E098' as event_id, event_ts + interval 1 minute as event_ts)
       from raw.events where event_id = 'E020'`,
    ],
    expect: ["purchase_order_one_to_one"],
  },
  {
    name: "an order one second after its purchase event",
    sql: [`update raw.orders set order_ts = order_ts + interval 1 second where order_id = 'O003'`],
    expect: ["purchase_order_one_to_one"],
  },

  // Line amounts and discounts.
  {
    name: "a wrong line amount",
    sql: [`update raw.order_items set line_amount = 39.99 where order_item_id = 'OI001'`],
    expect: ["order_item_line_amount"],
  },
  {
    name: "a line with zero quantity",
    sql: [`update raw.order_items set quantity = 0, line_amount = 0 where order_item_id = 'OI001'`],
    expect: ["order_item_line_amount"],
  },
  {
    name: "a wrong discounted price",
    sql: [
      `update raw.order_items set final_unit_price = 17.00, line_amount = 17.00 where order_item_id = 'OI002'`,
    ],
    expect: ["order_item_discount"],
  },
  {
    name: "a unit price that is not the list price",
    sql: [
      `update raw.order_items set unit_price = 18.99, final_unit_price = 18.99, line_amount = 37.98
       where order_item_id = 'OI001'`,
    ],
    expect: ["order_item_discount"],
  },
  {
    name: "a discounted price in fractions of a cent",
    sql: [
      `update raw.order_items set final_unit_price = 16.9915, line_amount = 16.9915 where order_item_id = 'OI002'`,
    ],
    expect: ["order_item_discount"],
  },

  // Promo attributes.
  {
    name: "is_promo on a session outside any promotion",
    sql: [
      `update raw.sessions set is_promo = true, discount_rate = 0.15, promo_id = 'PR1' where session_id = 'S001'`,
    ],
    expect: ["promo_attributes"],
  },
  {
    name: "an event inside a promotion without its promo attributes",
    sql: [
      `update raw.events set is_promo = false, discount_rate = 0, promo_id = null where event_id = 'E017'`,
    ],
    expect: ["promo_attributes"],
  },
  {
    name: "an order line with another discount than its promotion's",
    sql: [
      `update raw.order_items set discount_rate = 0.2, final_unit_price = 80, line_amount = 80
       where order_item_id = 'OI004'`,
    ],
    expect: ["promo_attributes"],
  },
  {
    name: "two overlapping promotions",
    sql: [
      `insert into raw.promo_calendar values ('PR3', 'Clash', date '2024-02-08', date '2024-02-20', 'Medium', 0.2)`,
    ],
    expect: ["promo_calendar_valid"],
  },
  {
    name: "a promotion that ends before it starts",
    sql: [`update raw.promo_calendar set end_date = date '2024-01-31' where promo_id = 'PR2'`],
    expect: ["promo_calendar_valid", "promo_attributes"],
  },

  // Subscriptions.
  {
    name: "a user without a subscription",
    sql: [`delete from raw.subscriptions where user_id = 'U003'`],
    expect: ["subscription_per_user"],
  },
  {
    name: "a subscription id that is not SUB_{user_id}",
    sql: [`update raw.subscriptions set subscription_id = 'SUB-U003' where user_id = 'U003'`],
    expect: ["subscription_per_user"],
  },

  {
    name: "an active plan with an end date",
    sql: [`update raw.subscriptions set end_date = date '2024-03-01' where user_id = 'U002'`],
    expect: ["subscription_fields"],
  },
  {
    name: "a paid plan without a fee",
    sql: [`update raw.subscriptions set monthly_fee = 0 where user_id = 'U002'`],
    expect: ["subscription_fields"],
  },

  // Dates against signup, sessions and orders.
  {
    name: "a session on the day before signup",
    sql: [`update raw.users set signup_date = date '2024-01-03' where user_id = 'U001'`],
    expect: ["not_before_signup"],
  },
  {
    name: "an event before its session started",
    sql: [
      `update raw.events set event_ts = timestamptz '2024-01-04 08:59:00+00' where event_id = 'E006'`,
    ],
    expect: ["event_matches_session"],
  },
  {
    name: "an order line dated another day than its order",
    sql: [
      `update raw.order_items set order_date = date '2024-02-04' where order_item_id = 'OI004'`,
    ],
    expect: ["order_item_matches_order"],
  },
  {
    name: "an order without lines",
    sql: [`delete from raw.order_items where order_item_id = 'OI004'`],
    expect: ["order_item_matches_order"],
  },

  // Campaign exposures: one per user and campaign, the control never messaged, only eligible users.
  {
    name: "an unknown experiment group",
    sql: [`update raw.campaign_exposures set experiment_group = 'holdout' where user_id = 'U002'`],
    expect: ["allowed_values_campaign_exposures"],
  },
  {
    name: "a user targeted twice by one campaign",
    sql: [
      `insert into raw.campaign_exposures select 'RC2024-03-U002-bis', * exclude (exposure_id) from raw.campaign_exposures`,
    ],
    expect: ["campaign_exposure_per_user"],
  },
  {
    name: "a campaign message naming a category the catalogue lacks",
    sql: [`update raw.campaign_exposures set category = 'Garden' where user_id = 'U002'`],
    expect: ["campaign_exposure_per_user"],
  },
  {
    name: "a control user who was sent the message",
    sql: [`update raw.campaign_exposures set experiment_group = 'control' where user_id = 'U002'`],
    expect: ["campaign_control_not_messaged"],
  },
  {
    name: "a message opened before it was sent",
    sql: [
      `update raw.campaign_exposures set opened_at = timestamptz '2024-03-10 09:00:00+00' where user_id = 'U002'`,
    ],
    expect: ["campaign_control_not_messaged"],
  },
  {
    name: "a one-order buyer targeted by a campaign",
    sql: [
      `insert into raw.campaign_exposures select 'RC2024-03-U001', campaign_id, campaign_date, 'U001', * exclude (exposure_id, campaign_id, campaign_date, user_id) from raw.campaign_exposures`,
    ],
    expect: ["campaign_exposure_eligible"],
  },
  {
    name: "a targeted user in another tier than the stated one",
    sql: [`update raw.campaign_exposures set purchase_count_tier = '3-4' where user_id = 'U002'`],
    expect: ["campaign_exposure_eligible"],
  },
  {
    // U002's cycle is 29 days (Jan 5 to Feb 3), the tier's only one, so its P75: silent exactly 29
    // days on the eve (Mar 3) is not beyond it.
    name: "a campaign on the day the user's silence equals the tier's upper-quartile cycle",
    sql: [
      `update raw.campaign_exposures set campaign_date = date '2024-03-04', sent_at = timestamptz '2024-03-04 10:05:00+00', opened_at = timestamptz '2024-03-04 11:30:00+00'`,
    ],
    expect: ["campaign_exposure_eligible"],
  },
  {
    name: "(not a corruption) a campaign one day later, when the silence exceeds the quartile",
    sql: [
      `update raw.campaign_exposures set campaign_date = date '2024-03-05', sent_at = timestamptz '2024-03-05 10:05:00+00', opened_at = timestamptz '2024-03-05 11:30:00+00'`,
    ],
    expect: [],
  },
];

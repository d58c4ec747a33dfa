import { RAW_TABLE_NAMES, RAW_TABLES } from "../contract";
import { closeDuckDb, type Db, generatedWorld, scalar } from "./testSupport";

/**
 * Each check counts violating rows of SPEC's integrity rules; every count must be zero. Written
 * here in plain SQL over gen.*, independent of the pipeline's own data-quality checks.
 */
const CHECKS: [string, string][] = [
  ...RAW_TABLE_NAMES.map((table): [string, string] => {
    const key = RAW_TABLES[table].primaryKey;
    return [
      `${table}.${key} is unique`,
      `select count(*) - count(distinct ${key}) from gen.${table}`,
    ];
  }),
  ...RAW_TABLE_NAMES.flatMap((table) =>
    RAW_TABLES[table].foreignKeys.map((fk): [string, string] => [
      `${table}.${fk.column} references ${fk.references.table}`,
      `select count(*) from gen.${table} t
       where t.${fk.column} is not null
           and t.${fk.column} not in (select ${fk.references.column} from gen.${fk.references.table})`,
    ]),
  ),
  [
    "a session with events starts with a view at its start time",
    `select count(*) from gen.sessions s
     join (select session_id, arg_min(event_type, event_id) as first_type, min(event_ts) as first_at
           from gen.events group by 1) e using (session_id)
     where e.first_type <> 'view' or e.first_at <> s.session_start_ts`,
  ],
  [
    "click, add to cart, checkout and purchase occur at most once per session (views repeat)",
    `select count(*) from (select session_id, event_type from gen.events
     where event_type <> 'view' group by all having count(*) > 1)`,
  ],
  [
    "a session's events are numbered 1, 2, .. in time order, views first, each strictly later",
    `select count(*) from (
         select event_id, session_id, event_ts, event_type,
             row_number() over (partition by session_id order by event_ts) as position,
             lag(event_ts) over (partition by session_id order by event_ts) as previous_at,
             lag(event_type) over (partition by session_id order by event_ts) as previous_type
         from gen.events)
     where event_id <> printf('E%s-%02d', substr(session_id, 2), position)
         or event_ts <= previous_at
         or (event_type = 'view' and previous_type is not null and previous_type <> 'view')`,
  ],
  [
    "only shoppers leave without a product page: every bot and test-account session has events",
    `select count(*) from gen.sessions s join gen.users u using (user_id)
     where u.anomaly_flag
         and not exists (select 1 from gen.events e where e.session_id = s.session_id)`,
  ],
  [
    "a funnel step occurs only after the previous step, strictly later",
    `with steps as (
         select *, list_position(['view', 'click', 'add_to_cart', 'checkout', 'purchase'], event_type) as step
         from gen.events
     )
     select count(*) from steps later
     where later.step > 1 and not exists (
         select 1 from steps earlier
         where earlier.session_id = later.session_id and earlier.step = later.step - 1
             and earlier.event_ts < later.event_ts)`,
  ],
  [
    "events carry their session's user and device and start no earlier than it",
    `select count(*) from gen.events e join gen.sessions s using (session_id)
     where e.user_id <> s.user_id or e.device <> s.device or e.event_ts < s.session_start_ts`,
  ],
  [
    "order_id is on purchase events and only there",
    `select count(*) from gen.events where (event_type = 'purchase') <> (order_id is not null)`,
  ],
  [
    "every order has exactly one purchase event, of the same user at the same time",
    `select count(*) from gen.orders o
     where (select count(*) from gen.events e
            where e.order_id = o.order_id and e.user_id = o.user_id and e.event_ts = o.order_ts) <> 1`,
  ],
  [
    "every order has at least one line",
    `select count(*) from gen.orders o where o.order_id not in (select order_id from gen.order_items)`,
  ],
  [
    "order lines agree with their order (user, day, promotion)",
    `select count(*) from gen.order_items i join gen.orders o using (order_id)
     where i.user_id <> o.user_id or i.order_date <> cast(o.order_ts as date)
         or i.is_promo <> o.is_promo or i.discount_rate <> o.discount_rate`,
  ],
  [
    "discount arithmetic: final_unit_price = round(unit_price * (1 - discount_rate), 2)",
    `select count(*) from gen.order_items
     where final_unit_price <> round(unit_price * (1 - discount_rate), 2) or unit_price <= 0`,
  ],
  [
    "line_amount = round(final_unit_price * quantity, 2), quantity >= 1",
    `select count(*) from gen.order_items where line_amount <> round(final_unit_price * quantity, 2) or quantity < 1`,
  ],
  [
    "unit_price is the product's list price",
    `select count(*) from gen.order_items i join gen.products p using (product_id) where i.unit_price <> p.price`,
  ],
  [
    "promotions do not overlap",
    `select count(*) from gen.promo_calendar a join gen.promo_calendar b
         on a.promo_id < b.promo_id and a.start_date <= b.end_date and b.start_date <= a.end_date`,
  ],
  ...(
    [
      ["sessions", "session_start_ts"],
      ["events", "event_ts"],
      ["orders", "order_ts"],
      ["order_items", "order_date"],
    ] as const
  ).map(([table, column]): [string, string] => [
    `${table}: promotion attributes agree with promo_calendar on the row's UTC day`,
    `select count(*) from gen.${table} t
     left join gen.promo_calendar p on cast(t.${column} as date) between p.start_date and p.end_date
     where t.is_promo <> (p.promo_id is not null)
         ${table === "order_items" ? "" : "or t.promo_id is distinct from p.promo_id"}
         or t.discount_rate <> coalesce(p.discount_rate, 0)`,
  ]),
  [
    "every user has exactly one subscription, SUB_{user_id}",
    `select count(*) from gen.users u
     where (select count(*) from gen.subscriptions s
            where s.user_id = u.user_id and s.subscription_id = 'SUB_' || u.user_id) <> 1`,
  ],
  [
    "subscriptions are coherent: dates ordered, fee by plan, end only when not active",
    `select count(*) from gen.subscriptions s join gen.users u using (user_id)
     where s.start_date < u.signup_date or s.end_date < s.start_date
         or (s.status = 'Active') <> (s.end_date is null)
         or s.monthly_fee <> case s.plan when 'Free' then 0 when 'Plus' then 4.99 else 9.99 end`,
  ],
  ...(
    [
      ["sessions", "session_start_ts"],
      ["events", "event_ts"],
      ["orders", "order_ts"],
      ["order_items", "order_date"],
    ] as const
  ).map(([table, column]): [string, string] => [
    `${table}: nothing happens before the user's signup date or after the last day`,
    `select count(*) from gen.${table} t join gen.users u using (user_id)
     where cast(t.${column} as date) < u.signup_date or cast(t.${column} as date) > date '2025-12-31'`,
  ]),
  [
    "sessions snapshot the user's type",
    `select count(*) from gen.sessions s join gen.users u using (user_id) where s.user_type <> u.user_type`,
  ],
  [
    "money is in whole cents",
    `select count(*) from gen.order_items
     where round(unit_price, 2) <> unit_price or round(line_amount, 2) <> line_amount`,
  ],
];

describe("integrity by construction", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await generatedWorld({ users: 2_000 }));
  });
  afterAll(() => closeDuckDb(db));

  it.each(CHECKS)("holds: %s", async (_name, sql) => {
    expect(await scalar(db.connection, sql)).toBe(0);
  });

  it("stores no derived flags: the raw logs have exactly the contract's columns", async () => {
    const columns = await scalar(
      db.connection,
      "select count(*) from duckdb_columns() where schema_name = 'gen' and table_name in ('sessions', 'events')",
    );
    expect(columns).toBe(RAW_TABLES.sessions.columns.length + RAW_TABLES.events.columns.length);
  });
});

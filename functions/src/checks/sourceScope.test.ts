import { listChecks } from ".";
import { ABSENT_FROM_ORDERS } from "../orders/deriveContract";
import { CHECK_SOURCE_NEEDS, checksForSource } from "./sourceScope";

describe("checksForSource", () => {
  it("runs every check on the generated shop, which lacks no table", () => {
    const { run, skipped } = checksForSource(listChecks(), []);
    expect(run.map((c) => c.name)).toEqual(listChecks().map((c) => c.name));
    expect(skipped).toEqual([]);
  });

  it("skips on an orders file the checks of sessions, events, promotions and subscriptions, naming what they miss", () => {
    const { run, skipped } = checksForSource(listChecks(), ABSENT_FROM_ORDERS);
    const missing = Object.fromEntries(skipped.map((s) => [s.name, s.missing]));
    expect(missing.purchase_order_one_to_one).toEqual(["events"]);
    expect(missing.subscription_per_user).toEqual(["subscriptions"]);
    expect(missing.funnel_step_order).toEqual(["events"]);
    expect(missing.order_item_discount).toEqual(["promo_calendar"]);
    const ran = run.map((c) => c.name);
    for (const name of ["order_item_line_amount", "order_item_matches_order", "primary_key_orders"])
      expect(ran).toContain(name);
  });

  it("declares extra needs only for checks that exist, with a reason", () => {
    const names = listChecks().map((c) => c.name);
    for (const [name, need] of Object.entries(CHECK_SOURCE_NEEDS)) {
      expect(names).toContain(name);
      expect(need.why.length).toBeGreaterThan(20);
    }
  });
});

import { FUNNEL_STEPS } from "../../contract";
import { dayDate, type TruthRaw } from "./rawRows";
import { groupBy, ratio } from "./stats";

const MS_PER_DAY = 86_400_000;

export interface FunnelSessionTruth {
  session_id: string;
  user_id: string;
  session_date: string;
  device: string;
  user_type: string;
  is_promo: boolean;
  events: number;
  has_view: boolean;
  has_click: boolean;
  has_add_to_cart: boolean;
  has_checkout: boolean;
  has_purchase: boolean;
  highest_step_number: number;
  highest_step: string;
}

/**
 * dm_funnel_sessions from raw rows: every session started on or before the run day by a user
 * without the anomaly flag, with its events up to the end of that day; the highest step is the
 * furthest funnel step (1 = view .. 5 = purchase) among them, 0 and 'none' without events.
 */
export function funnelSessionsTruth(raw: TruthRaw, runDay: number): FunnelSessionTruth[] {
  const endMs = (runDay + 1) * MS_PER_DAY;
  const anomalous = new Set(raw.users.filter((u) => u.is_anomaly).map((u) => u.user_id));
  const eventsBySession = groupBy(
    raw.events.filter((e) => e.event_ms < endMs),
    (e) => e.session_id,
  );
  return raw.sessions
    .filter((s) => s.start_ms < endMs && !anomalous.has(s.user_id))
    .map((s) => {
      const types = new Set((eventsBySession.get(s.session_id) ?? []).map((e) => e.event_type));
      const highest = Math.max(0, ...[...types].map((t) => FUNNEL_STEPS.indexOf(t as never) + 1));
      return {
        session_id: s.session_id,
        user_id: s.user_id,
        session_date: dayDate(s.session_day),
        device: s.device,
        user_type: s.user_type,
        is_promo: s.is_promo,
        events: (eventsBySession.get(s.session_id) ?? []).length,
        has_view: types.has("view"),
        has_click: types.has("click"),
        has_add_to_cart: types.has("add_to_cart"),
        has_checkout: types.has("checkout"),
        has_purchase: types.has("purchase"),
        highest_step_number: highest,
        highest_step: highest === 0 ? "none" : FUNNEL_STEPS[highest - 1]!,
      };
    });
}

export interface FunnelDailyTruth {
  session_date: string;
  device: string;
  user_type: string;
  is_promo: boolean;
  sessions: number;
  view_sessions: number;
  click_sessions: number;
  add_to_cart_sessions: number;
  checkout_sessions: number;
  purchase_sessions: number;
  view_to_click_rate: number | null;
  click_to_cart_rate: number | null;
  cart_to_checkout_rate: number | null;
  checkout_to_purchase_rate: number | null;
  session_conversion_rate: number | null;
  view_drop_off: number | null;
  click_drop_off: number | null;
  add_to_cart_drop_off: number | null;
  checkout_drop_off: number | null;
}

/** dm_funnel_daily: the sessions above counted per day, device, user type and promo flag. */
export function funnelDailyTruth(sessions: readonly FunnelSessionTruth[]): FunnelDailyTruth[] {
  const groups = groupBy(sessions, (s) =>
    JSON.stringify([s.session_date, s.device, s.user_type, s.is_promo]),
  );
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const count = (flag: keyof FunnelSessionTruth) => group.filter((s) => s[flag] === true).length;
    const [views, clicks, carts, checkouts, purchases] = [
      count("has_view"),
      count("has_click"),
      count("has_add_to_cart"),
      count("has_checkout"),
      count("has_purchase"),
    ];
    const dropOff = (rate: number | null) => (rate === null ? null : 1 - rate);
    return {
      session_date: first.session_date,
      device: first.device,
      user_type: first.user_type,
      is_promo: first.is_promo,
      sessions: group.length,
      view_sessions: views,
      click_sessions: clicks,
      add_to_cart_sessions: carts,
      checkout_sessions: checkouts,
      purchase_sessions: purchases,
      view_to_click_rate: ratio(clicks, views),
      click_to_cart_rate: ratio(carts, clicks),
      cart_to_checkout_rate: ratio(checkouts, carts),
      checkout_to_purchase_rate: ratio(purchases, checkouts),
      session_conversion_rate: ratio(purchases, group.length),
      view_drop_off: dropOff(ratio(clicks, views)),
      click_drop_off: dropOff(ratio(carts, clicks)),
      add_to_cart_drop_off: dropOff(ratio(checkouts, carts)),
      checkout_drop_off: dropOff(ratio(purchases, checkouts)),
    };
  });
}

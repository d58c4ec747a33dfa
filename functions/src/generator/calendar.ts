/**
 * The world's calendar, computed in JS because it is small: the promo calendar and the daily
 * signup schedule (which user indices sign up on which day). Days are integers counted from
 * 1970-01-01 (UTC), the unit the generator's SQL works in.
 */
import { UPLIFT_LEVELS } from "../contract";
import { PROMOS, SIGNUPS } from "./params";
import { jsRandom } from "./random";

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(isoDate: string): number {
  return Math.round(Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY);
}

/** The `YYYY-MM-DD` date of a day number. */
export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export interface Promo {
  promoId: string;
  promoName: string;
  startDay: number;
  endDay: number;
  upliftLevel: (typeof UPLIFT_LEVELS)[number];
  discountRate: number;
  /** Share of each type's promo lift this promotion delivers (by uplift level). */
  liftShare: number;
}

const PROMO_NAMES = [
  "New Year Sale",
  "Winter Clearance",
  "Spring Sale",
  "Spring Deals",
  "May Days",
  "Summer Kickoff",
  "Summer Sale",
  "Back to School",
  "Autumn Sale",
  "Halloween Deals",
  "Black Friday",
  "Holiday Sale",
];

const STREAM_PROMO_LENGTH = 1;
const STREAM_PROMO_OFFSET = 2;
const STREAM_SIGNUP_NOISE = 3;

/**
 * Promotions: the horizon is cut into `PROMOS.count` equal slots and each promotion sits inside
 * its own slot, so promotions never overlap whatever the seed. Short horizons get fewer promos.
 */
export function promoCalendar(seed: number, startDay: number, endDay: number): Promo[] {
  const random = jsRandom(seed);
  const span = endDay - startDay + 1;
  const count = Math.min(PROMOS.count, Math.floor(span / (PROMOS.maxDays + 2)));
  const slot = span / Math.max(count, 1);
  const promos: Promo[] = [];
  for (let k = 0; k < count; k++) {
    const length =
      PROMOS.minDays +
      Math.floor(random.uniform(STREAM_PROMO_LENGTH, k) * (PROMOS.maxDays - PROMOS.minDays + 1));
    const slack = Math.floor(slot) - length - 1;
    const slotStart = startDay + Math.floor(k * slot);
    const promoStart = slotStart + 1 + Math.floor(random.uniform(STREAM_PROMO_OFFSET, k) * slack);
    const level = PROMOS.upliftCycle[k % PROMOS.upliftCycle.length] ?? "Medium";
    const start = new Date(promoStart * MS_PER_DAY);
    promos.push({
      promoId: `PR${String(k + 1).padStart(2, "0")}`,
      promoName: `${PROMO_NAMES[start.getUTCMonth()] ?? "Sale"} ${start.getUTCFullYear()}`,
      startDay: promoStart,
      endDay: promoStart + length - 1,
      upliftLevel: level,
      discountRate: PROMOS.discountByUplift[level],
      liftShare: PROMOS.liftShareByUplift[level],
    });
  }
  return promos;
}

/** The users who sign up on one day: indices `firstIndex` (inclusive) to `nextIndex` (exclusive). */
export interface SignupDay {
  day: number;
  firstIndex: number;
  nextIndex: number;
}

/**
 * Which user indices sign up on which day. Daily weights grow exponentially, follow the week,
 * rise during promotions and carry log-normal noise; users are spread over days by the
 * cumulative weight, so user ids increase with signup date and the total is exactly `users`.
 */
export function signupSchedule(
  seed: number,
  users: number,
  startDay: number,
  endDay: number,
  promos: readonly Promo[],
): SignupDay[] {
  const random = jsRandom(seed);
  const weights: number[] = [];
  for (let day = startDay; day <= endDay; day++) {
    const years = (day - startDay) / 365;
    const weekday = (new Date(day * MS_PER_DAY).getUTCDay() + 6) % 7;
    const inPromo = promos.some((p) => day >= p.startDay && day <= p.endDay);
    weights.push(
      SIGNUPS.annualGrowth ** years *
        (SIGNUPS.weekdayWeights[weekday] ?? 1) *
        (inPromo ? SIGNUPS.promoSignupLift : 1) *
        Math.exp(SIGNUPS.dailyNoiseSd * random.normal(STREAM_SIGNUP_NOISE, day)),
    );
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const schedule: SignupDay[] = [];
  let cumulative = 0;
  let firstIndex = 0;
  weights.forEach((weight, offset) => {
    cumulative += weight;
    const nextIndex =
      offset === weights.length - 1 ? users : Math.round((users * cumulative) / total);
    if (nextIndex > firstIndex) schedule.push({ day: startDay + offset, firstIndex, nextIndex });
    firstIndex = Math.max(firstIndex, nextIndex);
  });
  return schedule;
}

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

const STREAM_PROMO_LENGTH = 1;
const STREAM_PROMO_OFFSET = 2;
const STREAM_SIGNUP_NOISE = 3;

/** The day number of Black Friday of a year: the day after the fourth Thursday of November. */
export function blackFriday(year: number): number {
  const first = dayNumber(`${year}-11-01`);
  const weekday = new Date(first * MS_PER_DAY).getUTCDay(); // 0 = Sunday, 4 = Thursday
  const firstThursday = first + ((4 - weekday + 7) % 7);
  return firstThursday + 21 + 1;
}

/**
 * The promotions that start on a day in `[startDay, lastDay]`: each year repeats the calendar of
 * `PROMOS.events`, with each promotion's start and length drawn from (seed, year, event), so a
 * promotion never depends on how far the world is generated. A promotion that starts inside the
 * range keeps its whole length, even when it runs past `lastDay`.
 */
export function promoCalendar(seed: number, startDay: number, lastDay: number): Promo[] {
  const random = jsRandom(seed);
  const promos: Promo[] = [];
  const firstYear = new Date(startDay * MS_PER_DAY).getUTCFullYear();
  const lastYear = new Date(lastDay * MS_PER_DAY).getUTCFullYear();
  for (let year = firstYear; year <= lastYear; year++) {
    for (const event of PROMOS.events) {
      const key = year * 100 + event.key;
      const anchor =
        event.anchor === "blackFriday"
          ? blackFriday(year)
          : dayNumber(
              `${year}-${String(event.anchor.month).padStart(2, "0")}-${String(event.anchor.day).padStart(2, "0")}`,
            );
      const start =
        anchor + Math.floor(random.uniform(STREAM_PROMO_OFFSET, key) * (event.jitterDays + 1));
      const length =
        PROMOS.minDays +
        Math.floor(
          random.uniform(STREAM_PROMO_LENGTH, key) * (PROMOS.maxDays - PROMOS.minDays + 1),
        );
      if (start < startDay || start > lastDay) continue;
      promos.push({
        promoId: `PR${year}-${String(event.key).padStart(2, "0")}`,
        promoName: `${event.name} ${year}`,
        startDay: start,
        endDay: start + length - 1,
        upliftLevel: event.upliftLevel,
        discountRate: PROMOS.discountByUplift[event.upliftLevel],
        liftShare: PROMOS.liftShareByUplift[event.upliftLevel],
      });
    }
  }
  return promos.sort((a, b) => a.startDay - b.startDay);
}

/** The users who sign up on one day: indices `firstIndex` (inclusive) to `nextIndex` (exclusive). */
export interface SignupDay {
  day: number;
  firstIndex: number;
  nextIndex: number;
}

/**
 * The relative signup rate of one day: growth that slows as the shop matures, the week, the
 * season, promotions and log-normal noise, each a function of the day alone.
 */
function signupWeight(
  random: ReturnType<typeof jsRandom>,
  startDay: number,
  day: number,
  promos: readonly Promo[],
): number {
  const years = (day - startDay) / 365;
  const date = new Date(day * MS_PER_DAY);
  const weekday = (date.getUTCDay() + 6) % 7;
  const inPromo = promos.some((p) => day >= p.startDay && day <= p.endDay);
  const fade = SIGNUPS.growthFadeYears;
  const growth = Math.log(SIGNUPS.annualGrowth) * fade * (1 - Math.exp(-years / fade));
  return (
    Math.exp(growth) *
    (SIGNUPS.weekdayWeights[weekday] ?? 1) *
    (SIGNUPS.monthWeights[date.getUTCMonth()] ?? 1) *
    (inPromo ? SIGNUPS.promoSignupLift : 1) *
    Math.exp(SIGNUPS.dailyNoiseSd * random.normal(STREAM_SIGNUP_NOISE, day))
  );
}

/**
 * Which user indices sign up on which day, from the world's first day to `endDay`. The daily
 * rate (`signupWeight`) is scaled once so that exactly `users` users sign up over the first
 * `SIGNUPS.scaleDays` days; user `nextIndex` of a day is the rounded cumulative rate, so ids
 * increase with signup date, and the schedule up to any day is the same whatever `endDay` is (a
 * world generated to X is a prefix of the world generated to Y > X).
 */
export function signupSchedule(
  seed: number,
  users: number,
  startDay: number,
  endDay: number,
): SignupDay[] {
  const random = jsRandom(seed);
  const lastDay = Math.max(endDay, startDay + SIGNUPS.scaleDays - 1);
  const promos = promoCalendar(seed, startDay, lastDay);
  const cumulative: number[] = [];
  let sum = 0;
  for (let day = startDay; day <= lastDay; day++) {
    sum += signupWeight(random, startDay, day, promos);
    cumulative.push(sum);
  }
  const perWeight = users / cumulative[SIGNUPS.scaleDays - 1]!;
  const schedule: SignupDay[] = [];
  let firstIndex = 0;
  for (let day = startDay; day <= endDay; day++) {
    const nextIndex = Math.round(perWeight * cumulative[day - startDay]!);
    if (nextIndex > firstIndex) schedule.push({ day, firstIndex, nextIndex });
    firstIndex = Math.max(firstIndex, nextIndex);
  }
  return schedule;
}

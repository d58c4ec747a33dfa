/**
 * The reactivation campaigns' calendar: the 1st of each month in `CAMPAIGNS.months`, every year,
 * from `CAMPAIGNS.warmUpDays` after the world's first day. Like the promotions, a campaign never
 * depends on how far the world is generated.
 */
import { dayNumber, isoDate } from "./calendar";
import { CAMPAIGNS } from "./params";

export interface Campaign {
  /** `RC` + year + `-` + month: `RC2024-04`. */
  readonly campaignId: string;
  /** The campaign day (day number): messages go out on it; eligibility reads the days before. */
  readonly day: number;
  /**
   * A number unique to the campaign in any world (year * 100 + month), which keys its random
   * draws and the session numbers of the visits it causes.
   */
  readonly key: number;
}

/** The campaigns whose day lies in the world's first day + warm-up .. `lastDay`, in day order. */
export function campaignCalendar(startDay: number, lastDay: number): Campaign[] {
  const first = startDay + CAMPAIGNS.warmUpDays;
  const campaigns: Campaign[] = [];
  const firstYear = Number(isoDate(first).slice(0, 4));
  const lastYear = Number(isoDate(Math.max(first, lastDay)).slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) {
    for (const month of CAMPAIGNS.months) {
      const mm = String(month).padStart(2, "0");
      const day = dayNumber(`${year}-${mm}-01`);
      if (day < first || day > lastDay) continue;
      campaigns.push({ campaignId: `RC${year}-${mm}`, day, key: year * 100 + month });
    }
  }
  return campaigns;
}

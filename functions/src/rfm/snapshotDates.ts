/**
 * The days a bulk run takes RFM snapshots: every month end of the world, and its last day. A
 * daily snapshot of two years would be 731 copies of every buyer (11M rows at reference scale);
 * month ends keep the segment history's moves visible at a twentieth of the cost. The nightly
 * chain then adds one snapshot a day.
 */
export function monthEndSnapshotDates(firstDay: string, lastDay: string): string[] {
  const dates: string[] = [];
  let year = Number(firstDay.slice(0, 4));
  let month = Number(firstDay.slice(5, 7));
  for (;;) {
    // Day 0 of the next month is the last day of this one.
    const monthEnd = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    if (monthEnd > lastDay) break;
    if (monthEnd >= firstDay) dates.push(monthEnd);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  if (dates[dates.length - 1] !== lastDay) dates.push(lastDay);
  return dates;
}

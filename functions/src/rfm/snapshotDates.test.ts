import { monthEndSnapshotDates } from "./snapshotDates";

describe("monthEndSnapshotDates", () => {
  it("takes every month end and the last day, in order", () => {
    expect(monthEndSnapshotDates("2024-01-15", "2024-04-10")).toEqual([
      "2024-01-31",
      "2024-02-29",
      "2024-03-31",
      "2024-04-10",
    ]);
  });

  it("does not repeat a last day that is a month end", () => {
    expect(monthEndSnapshotDates("2024-11-01", "2024-12-31")).toEqual(["2024-11-30", "2024-12-31"]);
  });

  it("takes the one day of a world that ends before its first month end", () => {
    expect(monthEndSnapshotDates("2024-03-02", "2024-03-05")).toEqual(["2024-03-05"]);
  });

  it("gives 24 dates for the two reference years", () => {
    const dates = monthEndSnapshotDates("2024-01-01", "2025-12-31");
    expect(dates).toHaveLength(24);
    expect(dates[0]).toBe("2024-01-31");
    expect(dates[23]).toBe("2025-12-31");
  });
});

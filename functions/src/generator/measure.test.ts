import { DEFAULT_GENERATE_OPTIONS } from "./index";
import { measureGeneration } from "./measure";
import { closeDuckDb, generatedWorld } from "./testSupport";

describe("measureGeneration", () => {
  it("reports the rows it generated with their time, CPU and memory", async () => {
    const { db } = await generatedWorld({ users: 100 });
    const measured = await measureGeneration(db.connection, {
      ...DEFAULT_GENERATE_OPTIONS,
      users: 300,
    });
    expect(measured.counts.users).toBe(300);
    expect(measured.rows).toBe(Object.values(measured.counts).reduce((a, b) => a + b, 0));
    expect(measured.seconds).toBeGreaterThan(0);
    expect(measured.cpuSeconds).toBeGreaterThan(0);
    expect(measured.rowsPerSecond).toBeCloseTo(measured.rows / measured.seconds);
    expect(measured.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    closeDuckDb(db);
  });
});

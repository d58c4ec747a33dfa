import { both, forEachLimited } from "./forEachLimited";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("forEachLimited", () => {
  it("returns results in the items' order with at most `limit` calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await forEachLimited([5, 1, 4, 2, 3], 2, async (n, i) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      for (let k = 0; k < n; k++) await tick();
      inFlight -= 1;
      return `${i}:${n * 10}`;
    });
    expect(results).toEqual(["0:50", "1:10", "2:40", "3:20", "4:30"]);
    expect(most).toBe(2);
  });

  it("runs every item, then throws the first failure in item order", async () => {
    const ran: number[] = [];
    await expect(
      forEachLimited([1, 2, 3, 4], 2, async (n) => {
        await tick();
        ran.push(n);
        if (n % 2 === 0) throw new Error(`item ${n}`);
        return n;
      }),
    ).rejects.toThrow("item 2");
    expect(ran.sort()).toEqual([1, 2, 3, 4]);
  });

  it("answers an empty list without calling work", async () => {
    expect(await forEachLimited([], 4, () => Promise.reject(new Error("called")))).toEqual([]);
  });
});

describe("both", () => {
  it("runs two pieces of work at once and returns both results", async () => {
    const order: string[] = [];
    const slow = async () => {
      order.push("slow starts");
      for (let k = 0; k < 3; k++) await tick();
      order.push("slow ends");
      return 1;
    };
    const fast = async () => {
      order.push("fast starts");
      await tick();
      order.push("fast ends");
      return "two";
    };
    expect(await both(slow, fast)).toEqual([1, "two"]);
    expect(order).toEqual(["slow starts", "fast starts", "fast ends", "slow ends"]);
  });

  it("throws a failure of either only once both have ended, the first's when both fail", async () => {
    let slowEnded = false;
    const slow = async () => {
      for (let k = 0; k < 3; k++) await tick();
      slowEnded = true;
      return 1;
    };
    await expect(both(slow, () => Promise.reject(new Error("second")))).rejects.toThrow("second");
    expect(slowEnded).toBe(true);
    await expect(
      both(
        () => Promise.reject(new Error("first")),
        () => Promise.reject(new Error("second")),
      ),
    ).rejects.toThrow("first");
  });
});

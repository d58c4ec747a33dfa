import { nelderMead } from "./nelderMead";

describe("nelderMead", () => {
  it("finds the minimum of Rosenbrock's valley from the textbook start", () => {
    const rosenbrock = ([x, y]: readonly number[]) => (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1], {
      maxIterations: 5000,
      xTolerance: 1e-10,
      fTolerance: 1e-12,
    });
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.fx).toBeLessThan(1e-12);
  });

  it("finds the centre of a shifted quadratic bowl in four dimensions, zeros in the start", () => {
    const centre = [3, -2, 0.5, 10];
    const bowl = (x: readonly number[]) =>
      x.reduce((s, v, i) => s + (i + 1) * (v - centre[i]!) ** 2, 0);
    const result = nelderMead(bowl, [0, 0, 0, 0], {
      maxIterations: 10000,
      xTolerance: 1e-9,
      fTolerance: 1e-14,
    });
    result.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 6));
  });

  it("stops at the iteration limit", () => {
    const result = nelderMead(([x]) => (x! - 5) ** 2, [0], { maxIterations: 3 });
    expect(result.iterations).toBe(3);
    expect(result.x[0]).not.toBeCloseTo(5, 2);
  });
});

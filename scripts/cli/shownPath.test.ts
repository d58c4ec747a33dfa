import { join } from "node:path";
import { shownPath } from "./shownPath";

describe("shownPath", () => {
  const cwd = join("/work", "shop");

  it("shows a path inside the working folder relative to it", () => {
    expect(shownPath(join(cwd, ".data", "report.html"), cwd)).toBe(join(".data", "report.html"));
  });

  it("shows the working folder itself as a dot", () => {
    expect(shownPath(cwd, cwd)).toBe(".");
  });

  it("shows a path outside the working folder as given", () => {
    expect(shownPath(join("/tmp", "lake"), cwd)).toBe(join("/tmp", "lake"));
    expect(shownPath(join("/work", "shop-2"), cwd)).toBe(join("/work", "shop-2"));
  });
});

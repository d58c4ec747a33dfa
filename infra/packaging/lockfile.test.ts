import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { functionSource } from "./functionSource";
import { pruneLockfile, resolveInstalled, type Lockfile } from "./lockfile";

const REAL_ROOT = resolve(__dirname, "..", "..");

const LOCK: Lockfile = {
  lockfileVersion: 3,
  packages: {
    "": { name: "root" },
    "node_modules/a": { version: "1.0.0", dependencies: { b: "^1", c: "^2" } },
    "node_modules/b": { version: "1.2.0" },
    "node_modules/c": { version: "3.0.0" },
    "node_modules/a/node_modules/c": { version: "2.1.0", optionalDependencies: { gone: "1" } },
    "node_modules/tool": { version: "5.0.0", dev: true, dependencies: { b: "^1" } },
    "node_modules/unused": { version: "9.9.9" },
  },
};

describe("pruneLockfile", () => {
  it("resolves a dependency the way Node does: nested first, then the enclosing node_modules", () => {
    expect(resolveInstalled(LOCK.packages, "node_modules/a", "c")).toBe(
      "node_modules/a/node_modules/c",
    );
    expect(resolveInstalled(LOCK.packages, "node_modules/a", "b")).toBe("node_modules/b");
    expect(resolveInstalled(LOCK.packages, "", "nope")).toBeUndefined();
  });

  it("keeps exactly what the package reaches, marking what only dev dependencies reach", () => {
    const pruned = pruneLockfile(LOCK, {
      name: "fn",
      version: "0.0.0",
      dependencies: { a: "^1" },
      devDependencies: { tool: "^5" },
    });
    expect(Object.keys(pruned.packages).sort()).toEqual([
      "",
      "node_modules/a",
      "node_modules/a/node_modules/c",
      "node_modules/b",
      "node_modules/tool",
    ]);
    expect(pruned.packages["node_modules/tool"]!.dev).toBe(true);
    // b is reached by a production dependency too, so it is not dev-only.
    expect(pruned.packages["node_modules/b"]!.dev).toBeUndefined();
    expect(pruned.packages[""]).toEqual({
      name: "fn",
      version: "0.0.0",
      dependencies: { a: "^1" },
      devDependencies: { tool: "^5" },
    });
  });

  it("refuses a dependency the repository's lock does not hold, naming it", () => {
    expect(() =>
      pruneLockfile(LOCK, { name: "fn", version: "0", dependencies: { missing: "1" } }),
    ).toThrow(/holds no missing/);
  });
});

describe("the function archive's lock file", () => {
  const dir = mkdtempSync(join(tmpdir(), "fn-lock-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `npm ci --dry-run` from the npm cache: what the buildpack's `npm ci` checks, offline. */
  function npmCiDryRun(pkg: Buffer, lock: Buffer) {
    writeFileSync(join(dir, "package.json"), pkg);
    writeFileSync(join(dir, "package-lock.json"), lock);
    return spawnSync(
      "npm",
      ["ci", "--dry-run", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"],
      { cwd: dir, encoding: "utf8" },
    );
  }

  it("installs with npm ci, in step with the archive's package.json", () => {
    const source = functionSource(REAL_ROOT);
    const result = npmCiDryRun(
      source.files.get("package.json")!,
      source.files.get("package-lock.json")!,
    );
    expect({
      status: result.status,
      stderr: result.stderr.split("\n").filter((l) => /ERR/.test(l)),
    }).toEqual({
      status: 0,
      stderr: [],
    });
  });

  it("npm ci refuses the lock when a package is missing from it (so a pass means something)", () => {
    const source = functionSource(REAL_ROOT);
    const lock = JSON.parse(source.files.get("package-lock.json")!.toString()) as Lockfile;
    delete lock.packages["node_modules/zod"];
    const result = npmCiDryRun(
      source.files.get("package.json")!,
      Buffer.from(JSON.stringify(lock)),
    );
    expect(result.status).not.toBe(0);
  });

  it("pins every package at the version the repository's lock tested", () => {
    const root = JSON.parse(readFileSync(join(REAL_ROOT, "package-lock.json"), "utf8")) as Lockfile;
    const lock = JSON.parse(
      functionSource(REAL_ROOT).files.get("package-lock.json")!.toString(),
    ) as Lockfile;
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === "") continue;
      expect({ path, version: entry.version, integrity: entry.integrity }).toEqual({
        path,
        version: root.packages[path]!.version,
        integrity: root.packages[path]!.integrity,
      });
    }
  });
});

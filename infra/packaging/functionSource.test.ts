import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixtureCheckout } from "../testing/fixtureCheckout";
import {
  COMPILED_ENTRY,
  FUNCTION_ENTRY,
  RUNTIME_DEPENDENCIES,
  functionSource,
  importClosure,
  importedPackages,
} from "./functionSource";

const REAL_ROOT = resolve(__dirname, "..", "..");
const roots: string[] = [];
function checkout(): string {
  const root = fixtureCheckout(REAL_ROOT);
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function edit(root: string, path: string, append: string): void {
  writeFileSync(join(root, path), readFileSync(join(root, path), "utf8") + append);
}

describe("function source archive", () => {
  it("ships the entry's imports and the SQL, never tests, dev tooling or infra", () => {
    const paths = [...functionSource(checkout()).files.keys()];
    expect(paths).toEqual([
      "functions/src/handlers/generateData.ts",
      "functions/src/index.ts",
      "functions/src/pipeline/rows.ts",
      "package-lock.json",
      "package.json",
      "sql/checks/pk_example.sql",
      "sql/marts/dm_example.sql",
      "tsconfig.json",
    ]);
  });

  it("changes its object name when a function's source changes", () => {
    const root = checkout();
    const before = functionSource(root).objectName;
    edit(root, "functions/src/pipeline/rows.ts", "export const more = 1;\n");
    expect(functionSource(root).objectName).not.toBe(before);
  });

  it("changes its object name when a SQL file the functions read changes", () => {
    const root = checkout();
    const before = functionSource(root).objectName;
    edit(root, "sql/marts/dm_example.sql", "-- edited\n");
    expect(functionSource(root).objectName).not.toBe(before);
  });

  it("keeps its object name when infra, the README, a test or dev tooling changes", () => {
    const root = checkout();
    const before = functionSource(root).objectName;
    edit(root, "infra/index.ts", "export const y = 2;\n");
    edit(root, "README.md", "more words\n");
    edit(root, "functions/src/pipeline/rows.test.ts", "// more\n");
    edit(root, "functions/src/sqlgate/gate.ts", "// more\n");
    expect(functionSource(root).objectName).toBe(before);
  });

  it("keeps its object name when a dependency the functions do not use changes version", () => {
    const root = checkout();
    const before = functionSource(root).objectName;
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    pkg.devDependencies.prettier = "^0.0.1";
    writeFileSync(join(root, "package.json"), JSON.stringify(pkg));
    expect(functionSource(root).objectName).toBe(before);
  });

  it("generates a package.json the buildpack builds: the imported packages at root versions, gcp-build, compiled main", () => {
    const source = functionSource(checkout());
    const pkg = JSON.parse(source.files.get("package.json")!.toString());
    const root = JSON.parse(readFileSync(join(REAL_ROOT, "package.json"), "utf8"));
    // The fixture's functions import only the Functions Framework: nothing else ships.
    expect(Object.keys(pkg.dependencies)).toEqual(["@google-cloud/functions-framework"]);
    for (const dep of Object.keys(pkg.dependencies))
      expect(pkg.dependencies[dep]).toBe(root.dependencies[dep]);
    expect(pkg.devDependencies.typescript).toBe(root.devDependencies.typescript);
    expect(pkg.scripts["gcp-build"]).toBe("tsc -p tsconfig.json");
    expect(pkg.main).toBe(COMPILED_ENTRY);
  });

  it("refuses an entry that imports a package the functions do not depend on", () => {
    const root = checkout();
    edit(root, "functions/src/pipeline/rows.ts", 'import "yaml";\n');
    expect(() => functionSource(root)).toThrow(
      /rows\.ts imports "yaml", which is not a runtime dependency/,
    );
  });

  it("refuses an entry that imports a file outside functions/src", () => {
    const root = checkout();
    edit(root, "functions/src/pipeline/rows.ts", 'import "../../../infra/index";\n');
    expect(() => functionSource(root)).toThrow(/from outside functions\/src/);
  });

  it("compiles with its own tsconfig to the entry its package.json names", () => {
    const source = functionSource(checkout());
    const out = checkout();
    rmSync(join(out, "functions"), { recursive: true });
    for (const [path, content] of source.files) {
      mkdirSync(resolve(out, path, ".."), { recursive: true });
      writeFileSync(join(out, path), content);
    }
    symlinkSync(join(REAL_ROOT, "node_modules"), join(out, "node_modules"), "dir");
    execFileSync(
      process.execPath,
      [join(REAL_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      {
        cwd: out,
      },
    );
    expect(existsSync(join(out, COMPILED_ENTRY))).toBe(true);
    expect(existsSync(join(out, "dist/functions/src/pipeline/rows.test.js"))).toBe(false);
  });
});

describe("the real functions entry", () => {
  it("ships exactly the runtime packages its files import", () => {
    const pkg = JSON.parse(functionSource(REAL_ROOT).files.get("package.json")!.toString());
    const imported = importedPackages(REAL_ROOT, importClosure(REAL_ROOT));
    expect(Object.keys(pkg.dependencies).sort()).toEqual(
      RUNTIME_DEPENDENCIES.filter((d) => imported.includes(d)).sort(),
    );
  });

  it("imports only runtime dependencies and files inside functions/src", () => {
    expect(existsSync(join(REAL_ROOT, FUNCTION_ENTRY))).toBe(true);
    const closure = importClosure(REAL_ROOT);
    expect(closure).toContain(FUNCTION_ENTRY);
    expect(closure.some((p) => p.endsWith(".test.ts"))).toBe(false);
  });

  it("ships neither the local DuckDB warehouse, the SQL translator nor the marts' worker thread, which the cloud never runs", () => {
    const closure = importClosure(REAL_ROOT);
    expect(closure).not.toContain("functions/src/backends/duckdbWarehouse.ts");
    expect(closure).not.toContain("functions/src/sql/translate.ts");
    // The worker loads TypeScript through tsx, a dev dependency: in a function it would fail only
    // when it starts, since no import names the package.
    expect(closure).not.toContain("functions/src/marts/offThread.ts");
    const pkg = JSON.parse(functionSource(REAL_ROOT).files.get("package.json")!.toString());
    expect(Object.keys(pkg.dependencies)).not.toContain("@polyglot-sql/sdk");
    // The generator still runs in DuckDB in the cloud.
    expect(Object.keys(pkg.dependencies)).toContain("@duckdb/node-api");
  });
});

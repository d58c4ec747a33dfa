import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * `pulumi up` loads the program with the ts-node @pulumi/pulumi resolves (the repository has none,
 * so Pulumi's vendored 7.0.1) and the project's TypeScript 6. This runs that loader in a child
 * process, as the Pulumi CLI would, so a change that only breaks under it fails here.
 */
describe("the program under Pulumi's own TypeScript loader", () => {
  it("loads infra/index.ts and registers the stack's resources", () => {
    const out = execFileSync(
      process.execPath,
      [join(__dirname, "testing", "loadWithPulumiTsNode.js"), "pr-1"],
      {
        env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
        encoding: "utf8",
      },
    );
    const result = JSON.parse(out) as { tsNode: string; exports: string[]; types: string[] };
    expect(result.tsNode).toMatch(/ts-node/);
    expect(result.exports).toEqual(
      expect.arrayContaining(["functionUrls", "datasets", "scheduledQueryNames"]),
    );
    expect(result.types).toEqual(
      expect.arrayContaining([
        "gcp:bigquery/table:Table",
        "gcp:cloudfunctionsv2/function:Function",
      ]),
    );
  });
});

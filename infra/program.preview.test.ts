import { MARTS } from "../functions/src/marts/catalog";
import { renderDatasets } from "../functions/src/sql/render";
import { martSql } from "../functions/src/marts/martParameters";
import { FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { PREVIEW_DEFAULT_USERS, datasetIdsFor } from "./config";
import { isScheduledQueryMart, scheduledQuerySql } from "./martSchedule";
import { environmentResourceCondition } from "./deployEnvironments";
import { builderEmail } from "./deployerRoles";
import { publicGrants } from "./policies";
import { T } from "./testing/componentHarness";
import { ofType, type RecordedResource } from "./testing/pulumiMocks";
import { runProgram } from "./testing/runProgram";

/** A pull request's preview stack: only the project is configured, the rest follows the name. */
let created: RecordedResource[];
let outputs: typeof import("./index");
const IDS = datasetIdsFor("pr-123");

beforeAll(async () => {
  ({ created, outputs } = await runProgram("pr-123", { "gcp:project": "my-analytics-dev" }));
});

describe("the pr-123 preview stack", () => {
  it("uses dataset ids that never collide with dev's", () => {
    const ids = ofType(created, T.dataset)
      .map((d) => d.inputs.datasetId)
      .sort();
    expect(ids).toEqual(Object.values(IDS).sort());
    for (const id of ids) expect(Object.values(datasetIdsFor("dev"))).not.toContain(id);
    expect(outputs.datasets).toEqual(IDS);
  });

  it("is fully destroyable: no deletion protection, datasets and buckets emptied on destroy", () => {
    const tables = ofType(created, T.table);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) expect(t.inputs.deletionProtection).toBe(false);
    for (const w of ofType(created, "gcp:workflows/workflow:Workflow"))
      expect(w.inputs.deletionProtection).toBe(false);
    for (const d of ofType(created, T.dataset)) {
      expect(d.inputs.deleteContentsOnDestroy).toBe(true);
      // Nothing expires behind Pulumi's state: a vanished table would make the stack drift.
      expect(d.inputs.defaultTableExpirationMs).toBeUndefined();
    }
    for (const b of ofType(created, T.bucket)) expect(b.inputs.forceDestroy).toBe(true);
    for (const s of ofType(created, T.service)) expect(s.inputs.disableOnDestroy).toBe(false);
  });

  it("names project-scoped resources apart from dev's", () => {
    for (const f of ofType(created, T.fn)) expect(f.inputs.name).toMatch(/-pr-123$/);
    for (const j of ofType(created, T.job)) expect(j.inputs.name).toMatch(/-pr-123$/);
    for (const a of ofType(created, T.account)) expect(a.inputs.accountId).toMatch(/-pr-123$/);
    for (const w of ofType(created, "gcp:workflows/workflow:Workflow"))
      expect(w.inputs.name).toMatch(/-pr-123$/);
  });

  it("creates only resources the preview deployer's condition admits, none that dev's does", () => {
    const project = "my-analytics-dev";
    const names = [
      ...ofType(created, T.bucket).map((b) => `projects/_/buckets/${b.inputs.name}`),
      ...ofType(created, T.dataset).map(
        (d) => `projects/${project}/datasets/${d.inputs.datasetId}`,
      ),
      ...ofType(created, T.table).map(
        (t) => `projects/${project}/datasets/${t.inputs.datasetId}/tables/${t.inputs.tableId}`,
      ),
      ...ofType(created, T.account).map(
        (a) =>
          `projects/${project}/serviceAccounts/${a.inputs.accountId}@${project}.iam.gserviceaccount.com`,
      ),
      ...ofType(created, T.fn).map(
        (f) => `projects/${project}/locations/${f.inputs.location}/services/${f.inputs.name}`,
      ),
      ...ofType(created, "gcp:artifactregistry/repository:Repository").map(
        (r) =>
          `projects/${project}/locations/${r.inputs.location}/repositories/${r.inputs.repositoryId}`,
      ),
      `projects/${project}/serviceAccounts/${builderEmail(project, "preview")}`,
    ];
    expect(names.length).toBeGreaterThan(30);
    const admits = (environment: string) => {
      const patterns = [
        ...environmentResourceCondition(project, environment).matchAll(/matches\('([^']+)'\)/g),
      ].map((m) => new RegExp(m[1]!));
      return (name: string) => patterns.some((re) => re.test(name));
    };
    for (const name of names) {
      expect({ name, preview: admits("preview")(name) }).toEqual({ name, preview: true });
      expect({ name, dev: admits("dev")(name) }).toEqual({ name, dev: false });
    }
  });

  it("queries its own datasets", () => {
    for (const decl of MARTS.filter(isScheduledQueryMart)) {
      const cfg = ofType(created, T.transfer).find((c) => c.name === `marts-${decl.name}`)!;
      expect(cfg.inputs.params.query).toBe(
        renderDatasets(scheduledQuerySql(decl, martSql(decl)), IDS),
      );
      expect(cfg.inputs.params.query).not.toMatch(/(?<![\w.])raw\.(users|events)\b/);
      expect(cfg.inputs.destinationDatasetId).toBe(IDS.marts);
    }
  });

  it("generates a smaller shop", () => {
    for (const f of ofType(created, T.fn)) {
      expect(f.inputs.serviceConfig.environmentVariables[FUNCTION_ENV.generatorUsers]).toBe(
        String(PREVIEW_DEFAULT_USERS),
      );
    }
  });

  it("sends no alerts unless configured, and grants nothing to the public", () => {
    expect(ofType(created, T.channel)).toEqual([]);
    expect(ofType(created, T.alert)).toEqual([]);
    expect(publicGrants(created)).toEqual([]);
  });
});

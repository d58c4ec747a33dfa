import * as gcp from "@pulumi/gcp";
import { datasetGrantsTo } from "../policies";
import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Access, stackBindingCondition } from "./access";

const READERS = ["group:bi@example.com", "user:ana@example.com"];
let created: RecordedResource[];

beforeAll(async () => {
  ({ created } = await recordComponents("dev", () => {
    new gcp.bigquery.Dataset("raw", { datasetId: "raw" });
    const marts = new gcp.bigquery.Dataset("marts", { datasetId: "marts" });
    const snapshots = new gcp.bigquery.Dataset("snapshots", { datasetId: "snapshots" });
    new Access("dev", {
      project: "p-dev-123",
      stack: "dev",
      readers: READERS,
      readableDatasets: { marts, snapshots },
      grantJobUser: true,
    });
    new Access("preview", {
      project: "p-dev-123",
      stack: "pr-4",
      readers: ["group:pr@example.com"],
      readableDatasets: { marts, snapshots },
      grantJobUser: false,
    });
  }));
});

describe("Access", () => {
  it("lets each BI reader read marts and snapshots", () => {
    for (const member of READERS) {
      for (const datasetId of ["marts", "snapshots"]) {
        expect(created).toContainEqual(
          expect.objectContaining({
            type: T.datasetIam,
            inputs: expect.objectContaining({
              datasetId,
              member,
              role: "roles/bigquery.dataViewer",
            }),
          }),
        );
      }
    }
  });

  it("gives BI readers no binding on raw", () => {
    expect(datasetGrantsTo(created, "raw", READERS)).toEqual([]);
    expect(datasetGrantsTo(created, "marts", READERS)).toHaveLength(2);
  });

  it("grants query rights on the project only where the stack owns the binding", () => {
    const jobUsers = created.filter((r) => r.type === T.projectIam).map((r) => r.inputs.member);
    expect(jobUsers.sort()).toEqual([...READERS].sort());
  });

  it("makes each project binding the stack's own, under a condition titled by the stack", () => {
    for (const binding of created.filter((r) => r.type === T.projectIam)) {
      expect(binding.inputs.condition).toEqual(stackBindingCondition("dev"));
    }
    expect(stackBindingCondition("dev").title).not.toBe(stackBindingCondition("prod").title);
  });
});

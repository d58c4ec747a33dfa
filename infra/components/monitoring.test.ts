import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Monitoring, anyOf } from "./monitoring";

let created: RecordedResource[];
beforeAll(async () => {
  ({ created } = await recordComponents("dev", () => {
    new Monitoring("monitoring", {
      project: "p-dev-123",
      stack: "dev",
      alertEmail: "alerts@example.com",
      functionServiceNames: ["generate-data-dev", "refresh-rfm-snapshot-dev"],
      transferConfigNames: [
        "projects/1/locations/us/transferConfigs/abc",
        "projects/1/locations/us/transferConfigs/def",
      ],
    });
  }));
});

describe("Monitoring", () => {
  it("sends alerts to the configured email", () => {
    const channel = created.find((r) => r.type === T.channel)!;
    expect(channel.inputs).toMatchObject({
      type: "email",
      labels: { email_address: "alerts@example.com" },
    });
    for (const p of created.filter((r) => r.type === T.alert)) {
      expect(p.inputs.notificationChannels).toEqual([
        `projects/p-dev-123/notificationChannels/monitoring-email`,
      ]);
    }
  });

  it("alerts on errors logged by either function", () => {
    const policy = created.find((r) => r.name === "monitoring-function-errors")!;
    const filter: string = policy.inputs.conditions[0].conditionMatchedLog.filter;
    expect(filter).toContain('resource.type="cloud_run_revision"');
    expect(filter).toContain(
      anyOf("resource.labels.service_name", ["generate-data-dev", "refresh-rfm-snapshot-dev"]),
    );
    expect(filter).toContain("severity>=ERROR");
  });

  it("alerts on failed runs of this stack's scheduled queries only", () => {
    const policy = created.find((r) => r.name === "monitoring-scheduled-query-failures")!;
    const filter: string = policy.inputs.conditions[0].conditionMatchedLog.filter;
    expect(filter).toBe(
      'resource.type="bigquery_dts_config" AND resource.labels.config_id=("abc" OR "def") AND severity>=ERROR',
    );
  });
});

import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Monitoring, anyOf, loadMetricName, tableWriteFilter } from "./monitoring";

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
      workflowNames: ["nightly-dev", "backfill-dev"],
      schedulerJobNames: ["nightly-dev"],
      rawDatasetId: "raw_dev",
      freshnessTable: "events",
      missingDayHours: 26,
    });
  }));
});

const policy = (key: string) => created.find((r) => r.name === `monitoring-${key}`)!;
const condition = (key: string) => policy(key).inputs.conditions[0];

describe("Monitoring", () => {
  it("sends every alert to the configured email", () => {
    const channel = created.find((r) => r.type === T.channel)!;
    expect(channel.inputs).toMatchObject({
      type: "email",
      labels: { email_address: "alerts@example.com" },
    });
    const policies = created.filter((r) => r.type === T.alert);
    expect(policies.map((p) => p.name).sort()).toEqual(
      [
        "function-errors",
        "missing-day",
        "scheduled-query-failures",
        "scheduler-failures",
        "workflow-failures",
      ].map((k) => `monitoring-${k}`),
    );
    for (const p of policies) {
      expect(p.inputs.notificationChannels).toEqual([
        `projects/p-dev-123/notificationChannels/monitoring-email`,
      ]);
      expect(p.inputs.documentation.content).toContain("What each alert means");
    }
  });

  it("alerts on a failed execution of this stack's workflows, on the workflow resource", () => {
    const filter: string = condition("workflow-failures").conditionThreshold.filter;
    expect(filter).toContain('resource.type="workflows.googleapis.com/Workflow"');
    expect(filter).toContain('metric.type="workflows.googleapis.com/finished_execution_count"');
    expect(filter).toContain('metric.labels.status="FAILED"');
    expect(filter).toContain(anyOf("resource.labels.workflow_id", ["nightly-dev", "backfill-dev"]));
    expect(condition("workflow-failures").conditionThreshold).toMatchObject({
      comparison: "COMPARISON_GT",
      thresholdValue: 0,
    });
  });

  it("alerts on errors logged by either function, on the Cloud Run revision", () => {
    const filter: string = condition("function-errors").conditionMatchedLog.filter;
    expect(filter).toBe(
      'resource.type="cloud_run_revision" AND resource.labels.service_name=("generate-data-dev" OR "refresh-rfm-snapshot-dev") AND severity>=ERROR',
    );
  });

  it("alerts when Cloud Scheduler fails to start the workflow, on the scheduler job", () => {
    const filter: string = condition("scheduler-failures").conditionMatchedLog.filter;
    expect(filter).toBe(
      'resource.type="cloud_scheduler_job" AND resource.labels.job_id=("nightly-dev") AND severity>=ERROR',
    );
  });

  it("alerts on failed runs of this stack's scheduled queries only, on their transfer configs", () => {
    const filter: string = condition("scheduled-query-failures").conditionMatchedLog.filter;
    expect(filter).toBe(
      'resource.type="bigquery_dts_config" AND resource.labels.config_id=("abc" OR "def") AND severity>=ERROR',
    );
  });

  it("alerts on a missing day: no write into raw events for 26 hours, from the BigQuery audit log", () => {
    const metric = created.find((r) => r.type === "gcp:logging/metric:Metric")!;
    expect(metric.inputs.name).toBe(loadMetricName("dev", "events"));
    expect(metric.inputs.filter).toBe(tableWriteFilter("p-dev-123", "raw_dev", "events"));
    expect(metric.inputs.filter).toContain('resource.type="bigquery_dataset"');
    expect(metric.inputs.filter).toContain(
      'protoPayload.resourceName="projects/p-dev-123/datasets/raw_dev/tables/events"',
    );
    expect(condition("missing-day").conditionPrometheusQueryLanguage.query).toBe(
      "absent_over_time(logging_googleapis_com:user_events_loaded_dev[26h])",
    );
  });

  it("names the load metric so PromQL can read it, per stack", () => {
    expect(loadMetricName("pr-12", "events")).toBe("events_loaded_pr_12");
    expect(loadMetricName("dev", "events")).not.toBe(loadMetricName("prod", "events"));
  });
});

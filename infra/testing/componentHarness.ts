import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, ofType, settled, type RecordedResource } from "./pulumiMocks";

/**
 * Builds components under recording mocks and returns what they registered. Mocks are installed
 * once per test file (Pulumi's runtime is per module registry); `build` runs after them.
 */
export async function recordComponents(
  stack: string,
  build: () => void,
): Promise<{ created: RecordedResource[]; byType: (type: string) => RecordedResource[] }> {
  const created = installRecordingMocks("ecommerce-analytics", stack);
  pulumi.runtime.setAllConfig({});
  build();
  await settled(created);
  return { created, byType: (type) => ofType(created, type) };
}

export const T = {
  account: "gcp:serviceaccount/account:Account",
  accountIam: "gcp:serviceaccount/iAMMember:IAMMember",
  bucket: "gcp:storage/bucket:Bucket",
  bucketIam: "gcp:storage/bucketIAMMember:BucketIAMMember",
  bucketObject: "gcp:storage/bucketObject:BucketObject",
  dataset: "gcp:bigquery/dataset:Dataset",
  datasetIam: "gcp:bigquery/datasetIamMember:DatasetIamMember",
  table: "gcp:bigquery/table:Table",
  transfer: "gcp:bigquery/dataTransferConfig:DataTransferConfig",
  fn: "gcp:cloudfunctionsv2/function:Function",
  runIam: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  job: "gcp:cloudscheduler/job:Job",
  projectIam: "gcp:projects/iAMMember:IAMMember",
  service: "gcp:projects/service:Service",
  serviceIdentity: "gcp:projects/serviceIdentity:ServiceIdentity",
  channel: "gcp:monitoring/notificationChannel:NotificationChannel",
  alert: "gcp:monitoring/alertPolicy:AlertPolicy",
} as const;

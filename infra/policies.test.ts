import { broadServiceAccountRoles, datasetGrantsTo, publicGrants } from "./policies";

const iam = (type: string, inputs: Record<string, unknown>) => ({ type, name: "r", inputs });

describe("policies", () => {
  it("finds a grant to allUsers or allAuthenticatedUsers in member or members", () => {
    expect(
      publicGrants([
        iam("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", {
          role: "roles/run.invoker",
          member: "allUsers",
        }),
        iam("gcp:storage/bucketIAMBinding:BucketIAMBinding", {
          role: "x",
          members: ["allAuthenticatedUsers"],
        }),
        iam("gcp:storage/bucketIAMMember:BucketIAMMember", {
          role: "x",
          member: "user:a@example.com",
        }),
      ]),
    ).toHaveLength(2);
  });

  it("finds a service account with owner, editor or an admin role on the project", () => {
    const sa = "serviceAccount:x@p.iam.gserviceaccount.com";
    const found = broadServiceAccountRoles([
      iam("gcp:projects/iAMMember:IAMMember", { role: "roles/editor", member: sa }),
      iam("gcp:projects/iAMMember:IAMMember", { role: "roles/bigquery.admin", member: sa }),
      iam("gcp:projects/iAMMember:IAMMember", { role: "roles/bigquery.jobUser", member: sa }),
      iam("gcp:projects/iAMMember:IAMMember", {
        role: "roles/owner",
        member: "group:admins@example.com",
      }),
    ]);
    expect(found).toHaveLength(2);
  });

  it("finds a reader's binding on a given dataset only", () => {
    const grants = [
      iam("gcp:bigquery/datasetIamMember:DatasetIamMember", {
        datasetId: "raw",
        member: "group:bi@x.com",
        role: "v",
      }),
      iam("gcp:bigquery/datasetIamMember:DatasetIamMember", {
        datasetId: "marts",
        member: "group:bi@x.com",
        role: "v",
      }),
    ];
    expect(datasetGrantsTo(grants, "raw", ["group:bi@x.com"])).toHaveLength(1);
    expect(datasetGrantsTo(grants, "raw", ["group:other@x.com"])).toEqual([]);
  });
});

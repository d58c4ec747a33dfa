import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface AccessArgs {
  project: string;
  /** IAM members from config: `group:...`, `user:...`, `domain:...`. */
  readers: readonly string[];
  /** The datasets BI tools may read: marts and snapshots, never raw. */
  readableDatasets: Record<"marts" | "snapshots", gcp.bigquery.Dataset>;
  /**
   * Grant `roles/bigquery.jobUser` on the project too (needed to run a query; it reads no data).
   * Off on preview stacks: they share the project with dev, and destroying a preview would remove
   * the same member's project binding that dev manages.
   */
  grantJobUser: boolean;
}

/**
 * BI readers (Looker Studio, Tableau, analysts) read the marts and snapshots only. `raw` holds
 * row-level behaviour logs and is left to the jobs that load and transform it.
 */
export class Access extends pulumi.ComponentResource {
  readonly bindings: pulumi.Resource[] = [];

  constructor(name: string, args: AccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Access", name, {}, opts);
    args.readers.forEach((member, i) => {
      for (const [logical, dataset] of Object.entries(args.readableDatasets)) {
        this.bindings.push(
          new gcp.bigquery.DatasetIamMember(
            `${name}-reader${i}-${logical}`,
            {
              project: args.project,
              datasetId: dataset.datasetId,
              role: "roles/bigquery.dataViewer",
              member,
            },
            { parent: this },
          ),
        );
      }
      if (args.grantJobUser) {
        this.bindings.push(
          new gcp.projects.IAMMember(
            `${name}-reader${i}-jobuser`,
            { project: args.project, role: "roles/bigquery.jobUser", member },
            { parent: this },
          ),
        );
      }
    });
    this.registerOutputs({ readers: [...args.readers] });
  }
}

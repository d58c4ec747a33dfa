import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface AccessArgs {
  project: string;
  /** The stack: names the condition that makes its project binding its own. */
  stack: string;
  /** IAM members from config: `group:...`, `user:...`, `domain:...`. */
  readers: readonly string[];
  /** The datasets BI tools may read: marts and snapshots, never raw. */
  readableDatasets: Record<"marts" | "snapshots", gcp.bigquery.Dataset>;
  /**
   * Grant `roles/bigquery.jobUser` on the project too (needed to run a query; it reads no data).
   * Off on preview stacks: their readers query through the dev stack's grant.
   */
  grantJobUser: boolean;
}

/**
 * The condition that makes a stack's project binding its own. IAM keys a binding by role and
 * condition, so dev and prod granting `bigquery.jobUser` to the same group hold two bindings, and
 * destroying one stack removes only its own (an unconditional binding would be shared, and the
 * first `destroy` would take the reader's access from the other stack). The expression is always
 * true; only the title differs.
 */
export function stackBindingCondition(stack: string) {
  return {
    title: `ecommerce-analytics ${stack}`,
    description: `Granted by the ${stack} stack; removed when that stack is destroyed.`,
    expression: 'request.time < timestamp("2200-01-01T00:00:00Z")',
  };
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
            {
              project: args.project,
              role: "roles/bigquery.jobUser",
              member,
              condition: stackBindingCondition(args.stack),
            },
            { parent: this },
          ),
        );
      }
    });
    this.registerOutputs({ readers: [...args.readers] });
  }
}

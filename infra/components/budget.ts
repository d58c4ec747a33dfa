import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface BudgetArgs {
  project: string;
  stack: string;
  billingAccount: string;
  monthlyAmount: number;
  currency: string;
  /** Fractions of the amount (0.5 = 50%) at which to alert. */
  thresholds: readonly number[];
  /** Where alerts go, besides the billing account's own budget recipients. */
  notificationChannels: pulumi.Input<string>[];
}

/**
 * A monthly budget on the project, alerting at each threshold of actual spend
 * (https://cloud.google.com/billing/docs/how-to/budgets). A budget warns; it does not stop
 * spending (the per-query `maximumBytesBilled` is what refuses an expensive query). Creating it
 * needs `roles/billing.costsManager` on the billing account, which a billing administrator grants
 * to the deployer (docs/deploy-from-github.md).
 */
export class Budget extends pulumi.ComponentResource {
  readonly budget: gcp.billing.Budget;

  constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Budget", name, {}, opts);
    const project = gcp.organizations.getProjectOutput(
      { projectId: args.project },
      { parent: this },
    );
    const whole = Math.floor(args.monthlyAmount);
    this.budget = new gcp.billing.Budget(
      `${name}-monthly`,
      {
        billingAccount: args.billingAccount,
        displayName: `ecommerce-analytics ${args.stack}`,
        budgetFilter: {
          projects: [pulumi.interpolate`projects/${project.number}`],
          calendarPeriod: "MONTH",
        },
        amount: {
          specifiedAmount: {
            currencyCode: args.currency,
            units: String(whole),
            nanos: Math.round((args.monthlyAmount - whole) * 1e9),
          },
        },
        thresholdRules: args.thresholds.map((t) => ({
          thresholdPercent: t,
          spendBasis: "CURRENT_SPEND",
        })),
        allUpdatesRule: { monitoringNotificationChannels: args.notificationChannels },
      },
      { parent: this },
    );
    this.registerOutputs({ budget: this.budget.name });
  }
}

/**
 * Security invariants of the program, as plain functions over the resources it registers (type
 * token + inputs). Policy packs need the Pulumi CLI, so these run in the mock tests instead, and
 * each returns the violations it finds (empty = compliant) so a failure names the resource.
 */

export interface ResourceLike {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/** Every member an IAM resource grants (`member` or `members`). */
function membersOf(r: ResourceLike): string[] {
  const one = typeof r.inputs.member === "string" ? [r.inputs.member] : [];
  const many = Array.isArray(r.inputs.members) ? (r.inputs.members as string[]) : [];
  return [...one, ...many];
}

/** IAM grants to the public: nothing here is public, ever. */
export function publicGrants(resources: readonly ResourceLike[]): string[] {
  return resources
    .filter((r) => membersOf(r).some((m) => PUBLIC_MEMBERS.includes(m)))
    .map((r) => `${r.type} ${r.name} grants ${r.inputs.role} to the public`);
}

const BROAD_ROLE = /^roles\/(owner|editor|[\w.]*[aA]dmin)$/;

/** Project-wide owner, editor or admin roles held by a service account. */
export function broadServiceAccountRoles(resources: readonly ResourceLike[]): string[] {
  return resources
    .filter(
      (r) =>
        r.type === "gcp:projects/iAMMember:IAMMember" ||
        r.type === "gcp:projects/iAMBinding:IAMBinding",
    )
    .filter((r) => BROAD_ROLE.test(String(r.inputs.role)))
    .filter((r) => membersOf(r).some((m) => m.startsWith("serviceAccount:")))
    .map((r) => `${r.name}: ${membersOf(r).join(", ")} holds ${r.inputs.role} on the project`);
}

/** Bindings of any of `members` on the dataset `datasetId` (BI readers must have none on raw). */
export function datasetGrantsTo(
  resources: readonly ResourceLike[],
  datasetId: string,
  members: readonly string[],
): string[] {
  return resources
    .filter((r) => r.type.startsWith("gcp:bigquery/dataset") && r.inputs.datasetId === datasetId)
    .filter((r) => membersOf(r).some((m) => members.includes(m)))
    .map((r) => `${r.name} grants ${r.inputs.role} on ${datasetId} to ${membersOf(r).join(", ")}`);
}

const PROJECT_IAM = ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"];

/**
 * Project-level grants of a role outside `allowed` (the deployers may grant only those:
 * `projectGrantableRoles` in deployerRoles.ts), so a program that needs another would fail at
 * `pulumi up` with a permission error; this finds it first.
 */
export function ungrantableProjectRoles(
  resources: readonly ResourceLike[],
  allowed: readonly string[],
): string[] {
  return resources
    .filter((r) => PROJECT_IAM.includes(r.type))
    .filter((r) => !allowed.includes(String(r.inputs.role)))
    .map((r) => `${r.name} grants ${r.inputs.role} on the project, which no deployer may grant`);
}

/**
 * The identity of each project-level binding a program owns: role, member and condition title
 * (IAM keys a binding by role and condition). Two stacks sharing one would remove it for each
 * other on destroy.
 */
export function projectBindingKeys(resources: readonly ResourceLike[]): string[] {
  return resources
    .filter((r) => PROJECT_IAM.includes(r.type))
    .flatMap((r) =>
      membersOf(r).map((m) => {
        const condition = r.inputs.condition as { title?: string } | undefined;
        return `${r.inputs.role} ${m} ${condition?.title ?? "(unconditional)"}`;
      }),
    );
}

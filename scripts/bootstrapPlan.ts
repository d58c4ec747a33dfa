/**
 * What `scripts/bootstrap` creates for each deploy environment, computed from the one definition
 * in `infra/deployEnvironments.ts` and `infra/deployerRoles.ts` and printed as tab-separated
 * records the bash script reads (it runs with nothing but bash, node and gcloud on the PATH).
 *
 *   provider  <attribute condition>
 *   role      <id> <title> <description> <permission,permission>
 *   deployer  <env> <account id> <subject principal> <state prefix>
 *   grant     <env> <account id> <role> <justification> <title> <description> <expression>
 *   builder   <env> <account id>
 *
 * A grant without a condition has empty title, description and expression.
 */
import {
  builderAccountId,
  deployerAccountId,
  ENVIRONMENT_RE,
  providerCondition,
  subjectPrincipal,
} from "../infra/deployEnvironments";
import {
  builderGrants,
  deployerGrants,
  TRANSFER_RUNNER_ROLE,
  type DeployerGrant,
} from "../infra/deployerRoles";

export interface BootstrapOptions {
  project: string;
  /** The number, or `${PROJECT_NUMBER}` in a dry run. */
  projectNumber: string;
  repo: string;
  pool: string;
  functionsRegion: string;
  environments: readonly string[];
}

function grantRecord(env: string, account: string, g: DeployerGrant): string[] {
  const c = g.condition;
  return [
    "grant",
    env,
    account,
    g.role,
    g.justification,
    c?.title ?? "",
    c?.description ?? "",
    c?.expression ?? "",
  ];
}

/** Every record of the plan, in the order the bootstrap applies them. */
export function bootstrapRecords(o: BootstrapOptions): string[][] {
  for (const env of o.environments) {
    if (!ENVIRONMENT_RE.test(env)) throw new Error(`invalid environment '${env}'`);
  }
  if (new Set(o.environments).size !== o.environments.length)
    throw new Error("an environment is listed twice");
  const records: string[][] = [
    ["provider", providerCondition(o.repo, o.environments)],
    [
      "role",
      TRANSFER_RUNNER_ROLE.id,
      TRANSFER_RUNNER_ROLE.title,
      TRANSFER_RUNNER_ROLE.description,
      TRANSFER_RUNNER_ROLE.permissions.join(","),
    ],
  ];
  for (const env of o.environments) {
    const account = deployerAccountId(env);
    records.push([
      "deployer",
      env,
      account,
      subjectPrincipal(o.projectNumber, o.pool, o.repo, env),
      `${env}/`,
    ]);
    for (const g of deployerGrants(o.project, env)) records.push(grantRecord(env, account, g));
    const builder = builderAccountId(env);
    records.push(["builder", env, builder]);
    for (const g of builderGrants(o.projectNumber, o.functionsRegion))
      records.push(grantRecord(env, builder, g));
  }
  for (const record of records) {
    for (const field of record) {
      if (/[\t\n]/.test(field)) throw new Error(`a plan field holds a tab or newline: ${field}`);
    }
  }
  return records;
}

/** Entry point for the bash script: `node --import tsx scripts/bootstrapPlan.ts <json options>`. */
if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? "{}") as BootstrapOptions;
  for (const record of bootstrapRecords(options)) console.log(record.join("\t"));
}

import * as pulumi from "@pulumi/pulumi";

/**
 * Test support (not a test): Pulumi mocks that record every resource the program registers and
 * answer with the provider-computed outputs the program reads (emails, URLs, resource names).
 * Install before importing the program: resources register at import time.
 */

export interface RecordedResource {
  type: string;
  name: string;
  // Inputs as the provider would receive them: plain JSON after Pulumi resolved every Output.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
}

const PROJECT_NUMBER = "123456789012";

function computedOutputs(
  type: string,
  name: string,
  inputs: RecordedResource["inputs"],
): Record<string, unknown> {
  const project = inputs.project ?? "mock-project";
  switch (type) {
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
      return {
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${project}/serviceAccounts/${email}`,
      };
    }
    case "gcp:projects/serviceIdentity:ServiceIdentity": {
      const agent = String(inputs.service).split(".")[0];
      const email = `service-${PROJECT_NUMBER}@gcp-sa-${agent}.iam.gserviceaccount.com`;
      return { email, member: `serviceAccount:${email}` };
    }
    case "gcp:cloudfunctionsv2/function:Function":
      return {
        url: `https://${inputs.location}-${project}.cloudfunctions.net/${inputs.name}`,
        serviceConfig: {
          ...inputs.serviceConfig,
          uri: `https://${inputs.name}-abc123-uc.a.run.app`,
          service: `projects/${project}/locations/${inputs.location}/services/${inputs.name}`,
        },
      };
    case "gcp:bigquery/dataTransferConfig:DataTransferConfig":
      return {
        name: `projects/${PROJECT_NUMBER}/locations/${inputs.location}/transferConfigs/cfg-${name}`,
      };
    case "gcp:monitoring/notificationChannel:NotificationChannel":
      return { name: `projects/${project}/notificationChannels/${name}` };
    case "gcp:storage/bucket:Bucket":
      return { url: `gs://${inputs.name}` };
    case "gcp:workflows/workflow:Workflow":
      return { __id: `projects/${project}/locations/${inputs.region}/workflows/${inputs.name}` };
    case "gcp:artifactregistry/repository:Repository":
      return {
        __id: `projects/${project}/locations/${inputs.location}/repositories/${inputs.repositoryId}`,
        name: inputs.repositoryId,
      };
    default:
      return {};
  }
}

/**
 * Changes a resource's inputs as the provider would receive them: how a test turns the real
 * program into a deliberately broken one.
 */
export type InputsChange = (resource: RecordedResource) => RecordedResource["inputs"] | undefined;

/** Installs recording mocks for a project and stack; returns the (growing) list of resources. */
export function installRecordingMocks(
  project: string,
  stack: string,
  change?: InputsChange,
): RecordedResource[] {
  const created: RecordedResource[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const recorded = { type: args.type, name: args.name, inputs: args.inputs };
        const inputs = change?.(recorded) ?? args.inputs;
        created.push({ ...recorded, inputs });
        const { __id, ...outputs } = computedOutputs(args.type, args.name, inputs);
        const id =
          (__id as string | undefined) ?? (outputs.name as string | undefined) ?? `${args.name}-id`;
        return { id, state: { ...inputs, ...outputs } };
      },
      // Data sources answer with their inputs, plus what the program reads of them.
      call: (args) => {
        if (args.token === "gcp:organizations/getProject:getProject")
          return { ...args.inputs, number: PROJECT_NUMBER };
        if (args.token === "gcp:storage/getProjectServiceAccount:getProjectServiceAccount")
          return {
            ...args.inputs,
            emailAddress: `service-${PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`,
          };
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );
  return created;
}

/** Resolves an Output in a test. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until no new resource has registered for a few ticks. */
export async function settled(created: readonly unknown[]): Promise<void> {
  let stable = 0;
  let last = -1;
  while (stable < 5) {
    await new Promise((r) => setTimeout(r, 10));
    stable = created.length === last ? stable + 1 : 0;
    last = created.length;
  }
}

/** Recorded resources of one type token, e.g. `gcp:bigquery/table:Table`. */
export function ofType(created: readonly RecordedResource[], type: string): RecordedResource[] {
  return created.filter((r) => r.type === type);
}

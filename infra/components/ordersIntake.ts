import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { INCOMING_PREFIX } from "../../functions/src/handlers/ordersRequest";
import { serviceAccountId, stackResourceName } from "../names";

export interface OrdersIntakeArgs {
  project: string;
  region: string;
  stack: string;
  labels: Record<string, string>;
  lakeBucket: gcp.storage.Bucket;
  /** The `loadOrders` function a new file under `incoming/` is pushed to. */
  loadOrders: gcp.cloudfunctionsv2.Function;
  /** `service-<number>@gcp-sa-pubsub.iam.gserviceaccount.com` (ProjectServices). */
  pubsubAgent: gcp.projects.ServiceIdentity;
}

/**
 * Bringing your own orders in the cloud: a file uploaded under the lake bucket's `incoming/`
 * prefix is loaded by `loadOrders`. The bucket notifies a Pub/Sub topic of each new object under
 * that prefix only (https://cloud.google.com/storage/docs/reporting-changes: the project's Cloud
 * Storage service agent must be able to publish to the topic), and a push subscription posts
 * each notification to the function with an OIDC token of its own account, which may invoke
 * that one function and nothing else. A notification is not a lake write: the pipeline's own
 * files under `raw/` notify nobody.
 *
 * A file that cannot be loaded (bad input answers 400) is retried with backoff and, after five
 * attempts, parked on a dead-letter topic with a subscription that keeps it a week, rather than
 * retried for the topic's whole retention; the Pub/Sub service agent publishes there and
 * acknowledges the original
 * (https://cloud.google.com/python/docs/reference/pubsub/1.4.3/google.cloud.pubsub_v1.types.DeadLetterPolicy).
 * The 400's message names the file, row and column; the function's error alert fires on it.
 */
export class OrdersIntake extends pulumi.ComponentResource {
  readonly topic: gcp.pubsub.Topic;
  readonly deadLetterTopic: gcp.pubsub.Topic;
  readonly notification: gcp.storage.Notification;
  readonly subscription: gcp.pubsub.Subscription;
  readonly pusher: gcp.serviceaccount.Account;

  constructor(name: string, args: OrdersIntakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:OrdersIntake", name, {}, opts);
    const child = { parent: this };
    this.topic = new gcp.pubsub.Topic(
      `${name}-topic`,
      {
        project: args.project,
        name: stackResourceName("orders-incoming", args.stack),
        labels: args.labels,
      },
      child,
    );
    this.deadLetterTopic = new gcp.pubsub.Topic(
      `${name}-dead-letter`,
      {
        project: args.project,
        name: stackResourceName("orders-incoming-failed", args.stack),
        labels: args.labels,
      },
      child,
    );
    // Messages published to a topic without a subscription are lost: keep the failed ones.
    new gcp.pubsub.Subscription(
      `${name}-dead-letter-kept`,
      {
        project: args.project,
        name: stackResourceName("orders-incoming-failed", args.stack),
        topic: this.deadLetterTopic.id,
        messageRetentionDuration: "604800s",
        labels: args.labels,
      },
      child,
    );

    const storageAgent = gcp.storage.getProjectServiceAccountOutput(
      { project: args.project },
      child,
    );
    const publisher = new gcp.pubsub.TopicIAMMember(
      `${name}-storage-publishes`,
      {
        project: args.project,
        topic: this.topic.name,
        role: "roles/pubsub.publisher",
        member: pulumi.interpolate`serviceAccount:${storageAgent.emailAddress}`,
      },
      child,
    );
    this.notification = new gcp.storage.Notification(
      `${name}-notification`,
      {
        bucket: args.lakeBucket.name,
        topic: this.topic.id,
        payloadFormat: "JSON_API_V1",
        eventTypes: ["OBJECT_FINALIZE"],
        objectNamePrefix: INCOMING_PREFIX,
      },
      { parent: this, dependsOn: [publisher] },
    );

    this.pusher = new gcp.serviceaccount.Account(
      `${name}-pusher`,
      {
        project: args.project,
        accountId: serviceAccountId("orders-push", args.stack),
        displayName: `Pushes incoming orders files to loadOrders (${args.stack})`,
      },
      child,
    );
    const invoker = new gcp.cloudrunv2.ServiceIamMember(
      `${name}-pusher-invokes`,
      {
        project: args.project,
        location: args.region,
        name: args.loadOrders.name,
        role: "roles/run.invoker",
        member: pulumi.interpolate`serviceAccount:${this.pusher.email}`,
      },
      child,
    );
    const agent = pulumi.interpolate`serviceAccount:${args.pubsubAgent.email}`;
    const deadLetterPublisher = new gcp.pubsub.TopicIAMMember(
      `${name}-agent-dead-letters`,
      {
        project: args.project,
        topic: this.deadLetterTopic.name,
        role: "roles/pubsub.publisher",
        member: agent,
      },
      child,
    );

    const url = args.loadOrders.serviceConfig.apply((c) => c?.uri ?? "");
    this.subscription = new gcp.pubsub.Subscription(
      `${name}-push`,
      {
        project: args.project,
        name: stackResourceName("orders-incoming", args.stack),
        topic: this.topic.id,
        labels: args.labels,
        // The function's own timeout: a push is acknowledged only by its answer.
        ackDeadlineSeconds: 600,
        pushConfig: {
          pushEndpoint: url,
          oidcToken: { serviceAccountEmail: this.pusher.email, audience: url },
        },
        retryPolicy: { minimumBackoff: "60s", maximumBackoff: "600s" },
        deadLetterPolicy: { deadLetterTopic: this.deadLetterTopic.id, maxDeliveryAttempts: 5 },
      },
      { parent: this, dependsOn: [invoker, deadLetterPublisher] },
    );
    new gcp.pubsub.SubscriptionIAMMember(
      `${name}-agent-acknowledges`,
      {
        project: args.project,
        subscription: this.subscription.name,
        role: "roles/pubsub.subscriber",
        member: agent,
      },
      child,
    );
    this.registerOutputs({
      topic: this.topic.name,
      subscription: this.subscription.name,
      incoming: pulumi.interpolate`gs://${args.lakeBucket.name}/${INCOMING_PREFIX}`,
    });
  }
}

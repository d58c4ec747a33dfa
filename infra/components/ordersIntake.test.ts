import * as gcp from "@pulumi/gcp";
import { broadServiceAccountRoles, publicGrants } from "../policies";
import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { OrdersIntake } from "./ordersIntake";

let created: RecordedResource[];
let byType: (type: string) => RecordedResource[];

beforeAll(async () => {
  ({ created, byType } = await recordComponents("dev", () => {
    new OrdersIntake("orders-intake", {
      project: "p-dev-123",
      region: "europe-west1",
      stack: "dev",
      labels: { env: "dev" },
      lakeBucket: new gcp.storage.Bucket("lake", { name: "p-dev-123-dev-lake", location: "EU" }),
      loadOrders: new gcp.cloudfunctionsv2.Function("fn", {
        name: "load-orders-dev",
        location: "europe-west1",
        serviceConfig: {},
      }),
      pubsubAgent: new gcp.projects.ServiceIdentity("agent", {
        project: "p-dev-123",
        service: "pubsub.googleapis.com",
      }),
    });
  }));
});

const PUSHER = "serviceAccount:orders-push-dev@p-dev-123.iam.gserviceaccount.com";
const PUBSUB_AGENT = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";
const STORAGE_AGENT =
  "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com";

describe("OrdersIntake", () => {
  it("notifies a topic of new objects under the lake's incoming/ prefix only", () => {
    const [notification] = byType("gcp:storage/notification:Notification");
    expect(notification!.inputs).toMatchObject({
      bucket: "p-dev-123-dev-lake",
      payloadFormat: "JSON_API_V1",
      eventTypes: ["OBJECT_FINALIZE"],
      objectNamePrefix: "incoming/",
    });
    const topics = byType("gcp:pubsub/topic:Topic").map((t) => t.inputs.name);
    expect(topics.sort()).toEqual(["orders-incoming-dev", "orders-incoming-failed-dev"]);
    const publishers = byType("gcp:pubsub/topicIAMMember:TopicIAMMember").map((g) => [
      g.inputs.topic,
      g.inputs.role,
      g.inputs.member,
    ]);
    expect(publishers).toEqual(
      expect.arrayContaining([["orders-incoming-dev", "roles/pubsub.publisher", STORAGE_AGENT]]),
    );
  });

  it("pushes each notification to loadOrders with an OIDC token of an account that may invoke only it", () => {
    const push = byType("gcp:pubsub/subscription:Subscription").find(
      (s) => s.inputs.name === "orders-incoming-dev",
    )!;
    const url = "https://load-orders-dev-abc123-uc.a.run.app";
    expect(push.inputs.pushConfig).toEqual({
      pushEndpoint: url,
      oidcToken: {
        serviceAccountEmail: "orders-push-dev@p-dev-123.iam.gserviceaccount.com",
        audience: url,
      },
    });
    const pusherGrants = created.filter((r) => r.inputs.member === PUSHER);
    expect(pusherGrants.map((g) => [g.type, g.inputs.name, g.inputs.role])).toEqual([
      [T.runIam, "load-orders-dev", "roles/run.invoker"],
    ]);
  });

  it("parks a file that fails five times on a dead-letter topic that keeps it a week", () => {
    const subscriptions = byType("gcp:pubsub/subscription:Subscription");
    const push = subscriptions.find((s) => s.inputs.name === "orders-incoming-dev")!;
    expect(push.inputs.deadLetterPolicy).toEqual({
      deadLetterTopic: "orders-intake-dead-letter-id",
      maxDeliveryAttempts: 5,
    });
    const kept = subscriptions.find((s) => s.inputs.name === "orders-incoming-failed-dev")!;
    expect(kept.inputs.messageRetentionDuration).toBe("604800s");
    const agentGrants = created
      .filter((r) => r.inputs.member === PUBSUB_AGENT)
      .map((g) => [g.inputs.topic ?? g.inputs.subscription, g.inputs.role]);
    expect(agentGrants.sort()).toEqual([
      ["orders-incoming-dev", "roles/pubsub.subscriber"],
      ["orders-incoming-failed-dev", "roles/pubsub.publisher"],
    ]);
  });

  it("grants nothing broad and nothing public", () => {
    expect(broadServiceAccountRoles(created)).toEqual([]);
    expect(publicGrants(created)).toEqual([]);
  });
});

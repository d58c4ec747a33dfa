import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { ProjectServices, REQUIRED_SERVICES } from "./projectServices";

let created: RecordedResource[];
beforeAll(async () => {
  ({ created } = await recordComponents(
    "dev",
    () => new ProjectServices("services", { project: "p-dev-123" }),
  ));
});

describe("ProjectServices", () => {
  it("enables every API the stack uses and never disables one on destroy", () => {
    const services = created.filter((r) => r.type === T.service);
    expect(services.map((s) => s.inputs.service).sort()).toEqual([...REQUIRED_SERVICES].sort());
    for (const s of services) expect(s.inputs.disableOnDestroy).toBe(false);
  });

  it("creates the BigQuery Data Transfer and Pub/Sub service agents explicitly", () => {
    expect(
      created.filter((r) => r.type === T.serviceIdentity).map((r) => r.inputs.service),
    ).toEqual(["bigquerydatatransfer.googleapis.com", "pubsub.googleapis.com"]);
  });
});

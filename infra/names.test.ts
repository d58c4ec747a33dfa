import { bucketName, serviceAccountId, stackResourceName } from "./names";

describe("resource names", () => {
  it("carries the stack so a preview and dev share a project without clashing", () => {
    expect(stackResourceName("generate-data", "pr-123")).toBe("generate-data-pr-123");
    expect(serviceAccountId("mart-runner", "dev")).not.toBe(
      serviceAccountId("mart-runner", "pr-123"),
    );
  });

  it("refuses a service account id longer than IAM allows, before any API call", () => {
    expect(() => serviceAccountId("mart-runner", "a-very-long-stack-name-indeed")).toThrow(
      /6-30 characters/,
    );
  });

  it("lowercases stack names with characters resource names refuse", () => {
    expect(bucketName("my-proj", "Staging_EU", "lake")).toBe("my-proj-staging-eu-lake");
  });
});

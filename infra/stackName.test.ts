import { datasetSuffix, isPreviewStack, previewStackName } from "./stackName";

describe("the preview-stack rule", () => {
  it("names a pull request's stack pr-<number>", () => {
    expect(previewStackName(123)).toBe("pr-123");
    expect(isPreviewStack("pr-123")).toBe(true);
  });

  it("treats dev, prod and look-alikes as regular stacks", () => {
    for (const stack of ["dev", "prod", "pr-", "pr-0", "pr-12a", "xpr-1", "pr-007"]) {
      expect(isPreviewStack(stack)).toBe(false);
    }
  });

  it("suffixes the dataset ids of every stack, with characters BigQuery allows", () => {
    expect(datasetSuffix("pr-42")).toBe("_pr_42");
    expect(datasetSuffix("dev")).toBe("_dev");
    expect(datasetSuffix("prod")).toBe("_prod");
    expect(datasetSuffix("Staging.EU")).toBe("_staging_eu");
    expect(`raw${datasetSuffix("pr-42")}`).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it("gives dev and prod of one project different dataset ids", () => {
    expect(datasetSuffix("dev")).not.toBe(datasetSuffix("prod"));
  });

  it("refuses a stack name with nothing to name a dataset by", () => {
    expect(() => datasetSuffix("--")).toThrow(/no letters or digits/);
  });

  it("rejects a pull request number that is not a positive integer", () => {
    expect(() => previewStackName(0)).toThrow(/positive integer/);
    expect(() => previewStackName(1.5)).toThrow(/positive integer/);
  });
});

import { FUNCTION_NAMES } from "./functionNames";

describe("the function entry point", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("registers every function the Pulumi program deploys and the local server serves", () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("./index");
      // The framework's registry is a module too: read it from the same isolated registry.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { getFunction } = require("@google-cloud/functions-framework/testing");
      expect(FUNCTION_NAMES).toHaveLength(5);
      for (const name of FUNCTION_NAMES)
        expect([name, typeof getFunction(name)]).toEqual([name, "function"]);
    });
  });

  it("refuses to start on a half-configured cloud setting, naming the missing variable", () => {
    process.env.LAKE_BUCKET = "shop-dev-lake";
    delete process.env.GOOGLE_CLOUD_PROJECT;
    expect(() =>
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("./index");
      }),
    ).toThrow(/GOOGLE_CLOUD_PROJECT/);
  });
});

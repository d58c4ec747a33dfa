// Loads infra/index.ts the way `pulumi up` does for a TypeScript program (the ts-node that
// @pulumi/pulumi resolves, falling back to its vendored 7.0.1, with the project's TypeScript and
// tsconfig.json), under mocks, and prints what registered as JSON. Run by program.loader.test.ts.
"use strict";
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const tsutils = require(path.join(pulumiDir, "tsutils.js"));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  compiler: require.resolve(typescriptRequire, { paths: [root] }),
  transpileOnly: process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true",
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
    ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json"),
  },
});

const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      types.push(a.type);
      // Providers give every resource a name; the workflows' sources are built from them.
      return { id: `${a.name}-id`, state: { name: a.name, ...a.inputs } };
    },
    call: (a) => a.inputs,
  },
  "ecommerce-analytics",
  process.argv[2] || "pr-1",
  false,
);
pulumi.runtime.setAllConfig({ "gcp:project": "my-analytics-dev" });
const program = require(path.join(root, "infra", "index.ts"));
setTimeout(() => {
  process.stdout.write(
    JSON.stringify({
      tsNode: path.relative(root, require.resolve(tsnodeRequire)),
      exports: Object.keys(program),
      types,
    }),
  );
}, 2000);

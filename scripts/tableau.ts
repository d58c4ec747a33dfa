/**
 * `npm run bi:tableau -- --project my-analytics-dev`: writes one Tableau data source file
 * (`<mart>.tds`) per SQL mart and snapshot table, pointing at the stack's BigQuery datasets, with
 * every column typed and described from `infra/martSchemas.json`. Double-click one to open the
 * live table in Tableau Desktop (docs/cloud.md, "Tableau").
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { shownPath } from "./cli/shownPath";
import { MARTS } from "../functions/src/marts/catalog";
import { committedMartSchemas, martTableFields } from "../infra/martTableSchemas";
import { datasetSuffix } from "../infra/stackName";
import { tableauDataSource } from "../infra/tableau/tds";
import {
  folderValue,
  runCommand,
  runMain,
  stringValue,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";

export const TABLEAU_COMMAND: CommandSpec = {
  command: "npm run bi:tableau",
  summary: [
    "Writes a Tableau data source (.tds) per SQL mart and snapshot table of a stack (not the",
    "tables the functions maintain themselves: dm_stat_tests, clv_daily, clv_fit,",
    "rfm_segment_history): the Google BigQuery connector on the stack's project and dataset,",
    "each column typed, described and classed as dimension or measure. Open one in Tableau",
    "Desktop and sign in with Google.",
  ].join("\n"),
  options: {
    project: {
      type: "string",
      value: "ID",
      help: "the Google Cloud project of the stack (required)",
    },
    "billing-project": {
      type: "string",
      value: "ID",
      help: "the project Tableau's queries are billed to (default: --project)",
    },
    stack: {
      type: "string",
      value: "NAME",
      help: "the Pulumi stack, for its dataset ids: dev, prod or pr-<n> (default dev)",
    },
    out: { type: "string", value: "DIR", help: "where to write the files (default .data/tableau)" },
  },
  examples: [
    "npm run bi:tableau -- --project my-analytics-dev",
    "npm run bi:tableau -- --project my-analytics-dev --stack pr-12 --out /tmp/tds",
  ],
};

/** Google Cloud project ids: 6-30 lowercase letters, digits and hyphens, starting with a letter. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

function projectValue(flag: string, raw: string): string {
  if (!PROJECT_ID.test(raw))
    throw new UsageError(flag, `"${raw}" is not a Google Cloud project id`);
  return raw;
}

export function tableauCli(argv: readonly string[]): Promise<number> {
  return runCommand(TABLEAU_COMMAND, argv, writeDataSources);
}

async function writeDataSources(args: ParsedArgs): Promise<number> {
  const rawProject = stringValue(args, "project");
  if (rawProject === undefined)
    throw new UsageError("--project", "is required: the stack's project id");
  const project = projectValue("--project", rawProject);
  const billingProject = projectValue(
    "--billing-project",
    stringValue(args, "billing-project", project),
  );
  const stack = stringValue(args, "stack", "dev");
  if (!/^[a-z][a-z0-9-]*$/.test(stack))
    throw new UsageError("--stack", `"${stack}" is not a stack name`);
  const out = resolve(folderValue("--out", stringValue(args, "out", join(".data", "tableau"))));
  const schemas = committedMartSchemas();
  mkdirSync(out, { recursive: true });
  for (const decl of MARTS) {
    const dataset = `${decl.dataset}${datasetSuffix(stack)}`;
    const xml = tableauDataSource(decl, martTableFields(decl, schemas), {
      project,
      billingProject,
      dataset,
    });
    writeFileSync(join(out, `${decl.name}.tds`), xml);
  }
  process.stdout.write(
    `${MARTS.length} Tableau data sources in ${shownPath(out)} (project ${project}, stack ${stack})\n`,
  );
  return 0;
}

if (require.main === module) runMain(TABLEAU_COMMAND, writeDataSources);

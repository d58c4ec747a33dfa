/**
 * `npm run sql:generator`: translates the SQL the generator runs in DuckDB (the reactivation rule
 * of `dm_churn_risk`, for the campaign's first pass) and writes it to
 * `functions/src/generator/churnRuleDuckDb.ts`, so the cloud function needs no translator. Run it
 * after changing `sql/marts/dm_churn_risk.sql` or its parameters; a test fails while it is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildChurnRuleDuckDb,
  churnRuleModule,
} from "../functions/src/generator/churnRuleTemplate";
import { runMain, type CommandSpec } from "./cli/command";
import { formatWithPrettier } from "./cli/prettier";

export const CHURN_RULE_FILE = "functions/src/generator/churnRuleDuckDb.ts";

export const GENERATOR_SQL_COMMAND: CommandSpec = {
  command: "npm run sql:generator",
  summary: [
    `Translates dm_churn_risk's SQL to DuckDB for the generator's campaign pass and writes`,
    `${CHURN_RULE_FILE}. Run it after changing the mart's SQL or parameters, and commit the file.`,
  ].join("\n"),
  options: {},
};

/** The module as committed: built, then formatted by the project's Prettier. */
export async function churnRuleModuleText(): Promise<string> {
  return formatWithPrettier(churnRuleModule(await buildChurnRuleDuckDb()), CHURN_RULE_FILE);
}

async function main(): Promise<void> {
  writeFileSync(join(__dirname, "..", CHURN_RULE_FILE), await churnRuleModuleText());
  console.log(`${CHURN_RULE_FILE}: the reactivation rule in DuckDB`);
}

if (require.main === module) runMain(GENERATOR_SQL_COMMAND, main);

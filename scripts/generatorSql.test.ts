import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CHURN_RULE_FILE, churnRuleModuleText } from "./generatorSql";

describe("the generator's committed DuckDB SQL", () => {
  it("equals a fresh translation of dm_churn_risk (run npm run sql:generator when it does not)", async () => {
    const committed = readFileSync(join(__dirname, "..", CHURN_RULE_FILE), "utf8");
    expect(committed).toBe(await churnRuleModuleText());
  });
});

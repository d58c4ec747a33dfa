import type { MartDeclaration } from "../../functions/src/marts/catalog";
import type { MartField } from "../martTableSchemas";

/**
 * A Tableau data source file (`.tds`) per mart, so a Tableau user opens a file and lands on the
 * live BigQuery table with every field typed, described and classed as dimension or measure,
 * instead of typing project, dataset and table into the connector. Generated from the same mart
 * schemas Pulumi creates the tables from (`infra/martSchemas.json`, with the column descriptions),
 * never written by hand.
 *
 * The connection attributes are the ones Tableau's BigQuery article shows in a data source's
 * `connection` tag (CATALOG and `project` the data's project, EXECCATALOG the billing project,
 * `schema` the dataset, class `bigquery`, native API, OAuth sign-in):
 * https://help.tableau.com/current/pro/desktop/en-us/examples_googlebigquery.htm
 * Tableau is not available on these machines, so the files are checked as XML with those
 * attributes, not opened in Tableau; docs/cloud.md says what to do if Tableau asks for more.
 */

export interface TdsTarget {
  /** The Google Cloud project that holds the datasets. */
  readonly project: string;
  /** The project queries are billed to (Tableau's "Billing Project"); usually the same. */
  readonly billingProject: string;
  /** The dataset id of the mart's dataset on this stack, for example `marts_pr_12`. */
  readonly dataset: string;
}

/** Tableau's field types for BigQuery's column types. */
const TABLEAU_TYPES: Readonly<
  Record<string, "string" | "integer" | "real" | "boolean" | "date" | "datetime">
> = {
  STRING: "string",
  BYTES: "string",
  INT64: "integer",
  FLOAT64: "real",
  NUMERIC: "real",
  BIGNUMERIC: "real",
  BOOL: "boolean",
  DATE: "date",
  DATETIME: "datetime",
  TIMESTAMP: "datetime",
};

/** Text for an XML attribute or element (both quote kinds escaped: attributes use `'`). */
export function xmlText(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Text for an XML comment, which may not hold `--`. */
function xmlComment(value: string): string {
  return xmlText(value).replace(/-{2,}/g, (dashes) => dashes.split("").join(" "));
}

/** Words shown in capitals in a caption. */
const ACRONYMS = new Set([
  "id",
  "dau",
  "wau",
  "mau",
  "aov",
  "ltv",
  "kpi",
  "rfm",
  "mom",
  "cv",
  "vip",
]);

/** `user_type` -> `User Type`, `ltv_180d_p90` -> `LTV 180d P90`: the caption Tableau shows. */
export function fieldCaption(name: string): string {
  return name
    .split("_")
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join(" ");
}

/** A field as Tableau classes it: numbers are measures, except ids and tiers stored as numbers. */
function fieldRole(field: MartField, datatype: string): { role: string; type: string } {
  if (datatype === "integer" || datatype === "real") {
    const dimensionLike = /(_id|_score|_offset|_number)$/.test(field.name);
    return dimensionLike
      ? { role: "dimension", type: "ordinal" }
      : { role: "measure", type: "quantitative" };
  }
  if (datatype === "date" || datatype === "datetime") return { role: "dimension", type: "ordinal" };
  return { role: "dimension", type: "nominal" };
}

/**
 * The `.tds` document of one mart. A column BigQuery stores as ARRAY or STRUCT has no flat
 * Tableau type: it is an error naming mart and column rather than a silently dropped field.
 */
export function tableauDataSource(
  decl: Pick<MartDeclaration, "name" | "description">,
  fields: readonly MartField[],
  target: TdsTarget,
): string {
  const a = (value: string) => `'${xmlText(value)}'`;
  const connectionName = `bigquery.${decl.name}`;
  const columns = fields.map((field) => {
    const datatype = TABLEAU_TYPES[field.type];
    if (!datatype || field.mode === "REPEATED") {
      throw new Error(
        `Tableau data source for ${decl.name}: column ${field.name} is ${field.mode === "REPEATED" ? "an ARRAY" : field.type}, which has no flat Tableau field type`,
      );
    }
    const { role, type } = fieldRole(field, datatype);
    const desc = field.description
      ? `\n    <desc>\n      <formatted-text>\n        <run>${xmlText(field.description)}</run>\n      </formatted-text>\n    </desc>\n  `
      : "";
    return (
      `  <column caption=${a(fieldCaption(field.name))} datatype=${a(datatype)} ` +
      `name=${a(`[${field.name}]`)} role=${a(role)} type=${a(type)}>${desc}</column>`
    );
  });
  return [
    "<?xml version='1.0' encoding='utf-8' ?>",
    `<!-- ${xmlComment(`${target.dataset}.${decl.name}: ${decl.description} Generated from infra/martSchemas.json by npm run bi:tableau; edits are overwritten.`)} -->`,
    `<datasource formatted-name=${a(`${target.dataset}.${decl.name}`)} inline='true' version='18.1' xmlns:user='http://www.tableausoftware.com/xml/user'>`,
    `  <repository-location id=${a(decl.name)} path='/datasources' />`,
    "  <connection class='federated'>",
    "    <named-connections>",
    `      <named-connection caption=${a(`BigQuery ${target.project}`)} name=${a(connectionName)}>`,
    `        <connection CATALOG=${a(target.project)} EXECCATALOG=${a(target.billingProject)} ` +
      `authentication='yes' bq_schema=${a(target.dataset)} class='bigquery' ` +
      `connection-dialect='google-bql' connection-protocol='native-api' ` +
      `login_title='Sign in to Google BigQuery' project=${a(target.project)} ` +
      `schema=${a(target.dataset)} server='googleapis.com/bigquery' server-oauth='' username='' />`,
    "      </named-connection>",
    "    </named-connections>",
    `    <relation connection=${a(connectionName)} name=${a(decl.name)} table=${a(`[${target.dataset}].[${decl.name}]`)} type='table' />`,
    "  </connection>",
    "  <aliases enabled='yes' />",
    ...columns,
    `  <layout dim-ordering='alphabetic' measure-ordering='alphabetic' show-structure='true' />`,
    "</datasource>",
    "",
  ].join("\n");
}

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MARTS } from "../../functions/src/marts/catalog";
import { committedMartSchemas, martTableFields } from "../martTableSchemas";
import { fieldCaption, tableauDataSource, xmlText } from "./tds";

const TARGET = {
  project: "my-analytics-dev",
  billingProject: "my-billing",
  dataset: "marts_pr_12",
};
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (n) => n === "column",
});

interface Parsed {
  datasource: {
    "formatted-name": string;
    connection: {
      class: string;
      "named-connections": {
        "named-connection": { name: string; connection: Record<string, string> };
      };
      relation: Record<string, string>;
    };
    column: {
      caption: string;
      datatype: string;
      name: string;
      role: string;
      desc?: { "formatted-text": { run: string } };
    }[];
  };
}

describe("the Tableau data source of every mart", () => {
  const schemas = committedMartSchemas();

  it.each(MARTS.map((m) => [m.name, m] as const))(
    "%s is well-formed XML on the BigQuery connector with every column described",
    (_name, decl) => {
      const fields = martTableFields(decl, schemas);
      const xml = tableauDataSource(decl, fields, TARGET);
      expect(XMLValidator.validate(xml)).toBe(true);
      const { datasource } = parser.parse(xml) as Parsed;
      expect(datasource["formatted-name"]).toBe(`marts_pr_12.${decl.name}`);
      expect(datasource.connection.class).toBe("federated");
      const named = datasource.connection["named-connections"]["named-connection"];
      expect(named.connection).toMatchObject({
        class: "bigquery",
        CATALOG: "my-analytics-dev",
        project: "my-analytics-dev",
        EXECCATALOG: "my-billing",
        schema: "marts_pr_12",
        authentication: "yes",
        "connection-protocol": "native-api",
        server: "googleapis.com/bigquery",
      });
      expect(datasource.connection.relation).toMatchObject({
        connection: named.name,
        name: decl.name,
        table: `[marts_pr_12].[${decl.name}]`,
        type: "table",
      });
      expect(datasource.column.map((c) => c.name)).toEqual(fields.map((f) => `[${f.name}]`));
      expect(datasource.column.map((c) => c.desc?.["formatted-text"].run)).toEqual(
        fields.map((f) => f.description),
      );
    },
  );

  it("types and classes fields as Tableau does: dates and text are dimensions, amounts measures", () => {
    const decl = MARTS.find((m) => m.name === "dm_kpi_daily")!;
    const { datasource } = parser.parse(
      tableauDataSource(decl, martTableFields(decl, schemas), TARGET),
    ) as Parsed;
    const byName = new Map(datasource.column.map((c) => [c.name, c]));
    expect(byName.get("[kpi_date]")).toMatchObject({ datatype: "date", role: "dimension" });
    expect(byName.get("[dau]")).toMatchObject({
      datatype: "integer",
      role: "measure",
      caption: "DAU",
    });
    expect(byName.get("[revenue]")).toMatchObject({ datatype: "real", role: "measure" });
  });
});

describe("tableauDataSource", () => {
  const decl = { name: "dm_x", description: "A -- test <mart> & 'co'" };

  it("escapes text, so a description with markup or quotes stays well-formed", () => {
    const xml = tableauDataSource(
      decl,
      [{ name: "a", type: "STRING", mode: "NULLABLE", description: `Says "<b>hi</b>" & 'bye'` }],
      TARGET,
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const { datasource } = parser.parse(xml) as Parsed;
    expect(datasource.column[0]!.desc!["formatted-text"].run).toBe(`Says "<b>hi</b>" & 'bye'`);
  });

  it("refuses an ARRAY column, naming mart and column, rather than dropping it", () => {
    expect(() =>
      tableauDataSource(decl, [{ name: "tags", type: "STRING", mode: "REPEATED" }], TARGET),
    ).toThrow(
      "Tableau data source for dm_x: column tags is an ARRAY, which has no flat Tableau field type",
    );
  });

  it("captions fields in words, acronyms in capitals", () => {
    expect(fieldCaption("ltv_180d_p90")).toBe("LTV 180d P90");
    expect(fieldCaption("user_type")).toBe("User Type");
    expect(xmlText(`<'&">`)).toBe("&lt;&apos;&amp;&quot;&gt;");
  });
});

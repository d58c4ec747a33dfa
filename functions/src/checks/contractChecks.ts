import {
  ColumnDef,
  ForeignKey,
  RAW_TABLE_LIST,
  RAW_TABLES,
  TableDef,
  columnDef,
} from "../contract";

/** A data-quality check: a BigQuery-dialect `select` whose rows are the violations. */
export interface CheckDefinition {
  /** Stable name: the SQL file's base name, or a contract-derived name such as `primary_key_users`. */
  readonly name: string;
  /** What the check asserts and the grain of one violation row, for people reading a failure. */
  readonly description: string;
  readonly sql: string;
  /** Where the SQL comes from: a hand-written file under `sql/checks/` or the data contract. */
  readonly source: "file" | "contract";
}

/**
 * A `where` condition on the table's partition column that keeps every row. BigQuery refuses a
 * query over a table with `requirePartitionFilter` unless it filters on the partition column;
 * a check must see every partition, so it says so explicitly instead of relying on an unfiltered
 * scan that BigQuery would reject.
 */
export function allPartitionsFilter(table: TableDef): string | undefined {
  if (!table.requirePartitionFilter || !table.partitionColumn) return undefined;
  const type = columnDef(table.name, table.partitionColumn).type;
  const floor = type === "DATE" ? "date '1970-01-01'" : "timestamp '1970-01-01 00:00:00+00'";
  return `${table.partitionColumn} >= ${floor}`;
}

function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** An import CTE body: `select <columns> from raw.<table>` plus the partition filter and extra conditions. */
function importSelect(
  table: TableDef,
  columns: readonly string[],
  conditions: string[] = [],
): string {
  const where = [allPartitionsFilter(table), ...conditions].filter((c): c is string => !!c);
  const lines = [`    select ${columns.join(", ")}`, `    from raw.${table.name}`];
  if (where.length > 0) lines.push(`    where ${where.join("\n        and ")}`);
  return lines.join("\n");
}

function header(lines: readonly string[]): string {
  return lines.map((l) => `-- ${l}`).join("\n");
}

function cte(name: string, body: string): string {
  return `${name} as (\n\n${body}\n\n)`;
}

function query(headerLines: readonly string[], ctes: readonly string[]): string {
  return `${header(headerLines)}\nwith\n\n${ctes.join(",\n\n")}\n\nselect * from final\n`;
}

/** Primary-key uniqueness: BigQuery does not enforce keys, so a duplicate load would go unnoticed. */
export function primaryKeyCheck(table: TableDef): CheckDefinition {
  const key = table.primaryKey;
  const assertion = `raw.${table.name}.${key} is never null and never repeated.`;
  const grain = `one row per ${key} value that is null or appears more than once, with its row count.`;
  const sql = query(
    [`Asserts: ${assertion}`, `Grain: ${grain}`, "Generated from the data contract (primary key)."],
    [
      cte(table.name, importSelect(table, [key])),
      cte(
        "final",
        [
          `    select`,
          `        ${key},`,
          `        count(*) as row_count`,
          ``,
          `    from ${table.name}`,
          `    group by ${key}`,
          `    having count(*) > 1 or ${key} is null`,
        ].join("\n"),
      ),
    ],
  );
  return {
    name: `primary_key_${table.name}`,
    description: `Asserts: ${assertion} Grain: ${grain}`,
    sql,
    source: "contract",
  };
}

/**
 * Referential integrity for one foreign key. A nullable reference (for example `events.order_id`,
 * present only on purchases) is checked only where it has a value.
 */
export function foreignKeyCheck(table: TableDef, fk: ForeignKey): CheckDefinition {
  const parent = RAW_TABLES[fk.references.table];
  if (parent.name === table.name) {
    throw new Error(`Self-referencing foreign key ${table.name}.${fk.column} is not supported`);
  }
  const child = columnDef(table.name, fk.column);
  const ref = `${parent.name}.${fk.references.column}`;
  const assertion = `every ${child.nullable ? "non-null " : ""}raw.${table.name}.${fk.column} exists in raw.${ref}.`;
  const grain = `one row per ${table.name} row whose ${fk.column} has no match, keyed by ${table.primaryKey}.`;
  const childColumns = [table.primaryKey, fk.column];
  const sql = query(
    [`Asserts: ${assertion}`, `Grain: ${grain}`, "Generated from the data contract (foreign key)."],
    [
      cte(
        table.name,
        importSelect(table, childColumns, child.nullable ? [`${fk.column} is not null`] : []),
      ),
      cte(parent.name, importSelect(parent, [fk.references.column])),
      cte(
        "final",
        [
          `    select`,
          `        ${table.name}.${table.primaryKey},`,
          `        ${table.name}.${fk.column}`,
          ``,
          `    from ${table.name}`,
          `    left join ${parent.name}`,
          `        on ${table.name}.${fk.column} = ${ref}`,
          `    where ${ref} is null`,
        ].join("\n"),
      ),
    ],
  );
  return {
    name: `foreign_key_${table.name}_${fk.column}`,
    description: `Asserts: ${assertion} Grain: ${grain}`,
    sql,
    source: "contract",
  };
}

function allowedCondition(column: ColumnDef): string {
  const list = `(${column.allowed!.map(stringLiteral).join(", ")})`;
  // A nullable column may be null; a required one being null is a violation too.
  return column.nullable
    ? `${column.name} not in ${list}`
    : `${column.name} is null or ${column.name} not in ${list}`;
}

/**
 * Closed value sets: one check per table covering every column with `allowed` values, so each
 * table is scanned once. Undefined for a table without such columns.
 */
export function allowedValuesCheck(table: TableDef): CheckDefinition | undefined {
  const columns = table.columns.filter((c) => c.allowed && c.allowed.length > 0);
  if (columns.length === 0) return undefined;
  const sets = columns.map((c) => `${c.name} in (${c.allowed!.join(", ")})`).join("; ");
  const assertion = `raw.${table.name} holds only allowed values: ${sets}.`;
  const grain = `one row per ${table.name} row and column holding a value outside its set, keyed by ${table.primaryKey}.`;
  const branches = columns.map((c) =>
    [
      `    select`,
      `        ${table.primaryKey},`,
      `        ${stringLiteral(c.name)} as column_name,`,
      `        ${c.name} as value`,
      ``,
      `    from ${table.name}`,
      `    where ${allowedCondition(c)}`,
    ].join("\n"),
  );
  const sql = query(
    [
      `Asserts: ${assertion}`,
      `Grain: ${grain}`,
      "Generated from the data contract (allowed values).",
    ],
    [
      cte(table.name, importSelect(table, [table.primaryKey, ...columns.map((c) => c.name)])),
      cte("final", branches.join("\n\n    union all\n\n")),
    ],
  );
  return {
    name: `allowed_values_${table.name}`,
    description: `Asserts: ${assertion} Grain: ${grain}`,
    sql,
    source: "contract",
  };
}

/**
 * Every check the contract implies: primary-key uniqueness for each table, one check per foreign
 * key, and the closed value sets per table. Generated rather than hand-written so a column or key
 * added to the contract is checked without anyone remembering to write a file.
 */
export function contractChecks(tables: readonly TableDef[] = RAW_TABLE_LIST): CheckDefinition[] {
  return [
    ...tables.map(primaryKeyCheck),
    ...tables.flatMap((t) => t.foreignKeys.map((fk) => foreignKeyCheck(t, fk))),
    ...tables.map(allowedValuesCheck).filter((c): c is CheckDefinition => c !== undefined),
  ];
}

/**
 * Bad input in an orders file: a one-line message naming the file, the row (the n-th data row,
 * header and blank lines not counted) and the column, raised before anything is written.
 */
export class OrdersInputError extends Error {
  constructor(
    readonly file: string,
    readonly row: number | null,
    readonly column: string | null,
    problem: string,
  ) {
    const where = [
      row === null ? null : `row ${row}`,
      column === null ? null : `column "${column}"`,
    ]
      .filter((p) => p !== null)
      .join(", ");
    super(`${file}: ${where ? `${where}: ` : ""}${problem}`);
    this.name = "OrdersInputError";
  }
}

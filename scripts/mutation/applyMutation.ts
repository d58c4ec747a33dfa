/**
 * One small, plausible change to a mart's SQL, the kind of slip a review misses: a `<` for a
 * `<=`, a window one day long, a dropped filter, a percentile swapped, a join turned outer.
 */
export interface Mutation {
  /** The SQL file, relative to the checkout root. */
  readonly file: string;
  /** What the slip would mean, as a reviewer would say it. */
  readonly name: string;
  /** Text that occurs exactly once in the file... */
  readonly from: string;
  /** ...and what it becomes. */
  readonly to: string;
}

/**
 * The file's text with the mutation applied. `from` must occur exactly once: a mutation that no
 * longer matches (the SQL moved on) or matches twice (ambiguous) is an error naming it, so the
 * list cannot silently stop testing anything.
 */
export function applyMutation(text: string, mutation: Mutation): string {
  const first = text.indexOf(mutation.from);
  if (first === -1) {
    throw new Error(
      `Mutation "${mutation.name}" does not apply: ${mutation.file} has no "${mutation.from}"`,
    );
  }
  if (text.indexOf(mutation.from, first + 1) !== -1) {
    throw new Error(
      `Mutation "${mutation.name}" is ambiguous: "${mutation.from}" occurs more than once in ${mutation.file}`,
    );
  }
  if (mutation.from === mutation.to) {
    throw new Error(`Mutation "${mutation.name}" changes nothing`);
  }
  return text.slice(0, first) + mutation.to + text.slice(first + mutation.from.length);
}

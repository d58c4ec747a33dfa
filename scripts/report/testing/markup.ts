/**
 * A strict-enough reader of the markup the report emits, for tests: every element closed in
 * order, attribute quotes balanced, no stray `<` or `>` in text. It is not an HTML parser; it
 * holds the report to the subset of HTML it is written in.
 */

const VOID_ELEMENTS = new Set(["meta", "br", "hr", "img", "input", "link"]);
const TAG_RE = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g;

export interface MarkupProblem {
  readonly at: number;
  readonly problem: string;
}

/** Problems found in `html` (empty when well formed). The doctype and CSS are skipped. */
export function markupProblems(html: string): MarkupProblem[] {
  const problems: MarkupProblem[] = [];
  const body = html
    .replace(/^<!doctype html>/i, "")
    .replace(/<style>[^<]*<\/style>/g, (m) => "<style></style>" + " ".repeat(m.length - 15));
  const stack: { name: string; at: number }[] = [];
  let last = 0;
  for (const match of body.matchAll(TAG_RE)) {
    const at = match.index;
    checkText(body.slice(last, at), last, problems);
    last = at + match[0].length;
    const [, closing, rawName, , selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (!open) problems.push({ at, problem: `</${name}> closes nothing` });
      else if (open.name !== name)
        problems.push({ at, problem: `</${name}> closes <${open.name}> opened at ${open.at}` });
    } else if (!selfClosing && !VOID_ELEMENTS.has(name)) {
      stack.push({ name, at });
    }
  }
  checkText(body.slice(last), last, problems);
  for (const open of stack) problems.push({ at: open.at, problem: `<${open.name}> never closed` });
  return problems;
}

function checkText(text: string, offset: number, problems: MarkupProblem[]): void {
  const stray = text.search(/[<>]/);
  if (stray !== -1) {
    problems.push({
      at: offset + stray,
      problem: `stray "${text[stray]}" in text: ${JSON.stringify(text.slice(Math.max(0, stray - 20), stray + 20))}`,
    });
  }
}

/** The elements' names in document order, for counting (`<svg>`, `<table>`, ...). */
export function elementCounts(html: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of html.matchAll(TAG_RE)) {
    if (match[1]) continue;
    const name = match[2]!.toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

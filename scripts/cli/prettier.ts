import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Formats generated text with the project's Prettier, as `prettier --check` will read it, so a
 * regenerated file never fails the lint. Run as Prettier's CLI: its API loads as an ES module,
 * which jest cannot import. `filePath` (from the checkout root) picks the parser and the options.
 */
export function formatWithPrettier(text: string, filePath: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve("prettier/bin/prettier.cjs"), "--stdin-filepath", filePath],
    { cwd: join(__dirname, "..", ".."), input: text, encoding: "utf8" },
  );
}

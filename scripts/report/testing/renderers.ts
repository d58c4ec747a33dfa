import { readdirSync, readFileSync } from "node:fs";

/**
 * This process's children still running a chart renderer (its script, or a startup snapshot) after waiting up to `waitMs`
 * for them to exit, read from /proc (no tool needed): their pids, comma-separated, or "" when
 * none is left.
 */
export async function renderersLeft(waitMs = 1000): Promise<string> {
  const renderers = () =>
    readdirSync("/proc")
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const parent = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
          return (
            parent === String(process.pid) &&
            /renderSvg|--snapshot-blob/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"))
          );
        } catch {
          return false; // exited while being read
        }
      })
      .join(",");
  for (let i = 0; i < waitMs / 20 && renderers() !== ""; i++)
    await new Promise((r) => setTimeout(r, 20));
  return renderers();
}

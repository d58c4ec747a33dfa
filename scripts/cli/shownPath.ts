import { isAbsolute, relative } from "node:path";

/**
 * A path as the commands print it: relative to the working folder when it is inside it (`.` for
 * the folder itself), as given otherwise.
 */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const near = relative(cwd, path);
  return near.startsWith("..") || isAbsolute(near) ? path : near || ".";
}

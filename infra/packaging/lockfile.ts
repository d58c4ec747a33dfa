/**
 * The function archive's `package-lock.json`, cut from the repository's own lock file: exactly the
 * packages the function's package.json reaches, at the versions and integrity hashes the
 * repository tested. With a lock file the Node.js buildpack installs with `npm ci`, so a deploy
 * builds what CI tested instead of resolving `^` ranges on the day.
 */

/** A `packages` entry of an npm lock file (lockfileVersion 2 or 3). */
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Where npm finds `name` for the package installed at `from` ("" for the root): its own
 * `node_modules`, then each enclosing one, as Node resolves.
 */
export function resolveInstalled(
  packages: Readonly<Record<string, LockEntry>>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === "") return undefined;
    const at = base.lastIndexOf("node_modules/");
    base = at <= 0 ? "" : base.slice(0, at - 1);
  }
}

/**
 * The lock file for `pkg`: its root entry and every package its dependencies and dev
 * dependencies reach in `root`, with `dev` recomputed (reached only through dev dependencies).
 * A dependency the root lock does not hold is an error naming it, so the archive can never ship
 * a lock that `npm ci` would refuse.
 */
export function pruneLockfile(root: Lockfile, pkg: PackageJson): Lockfile {
  if (root.lockfileVersion < 2) {
    throw new Error(
      `package-lock.json is lockfileVersion ${root.lockfileVersion}; npm 7+ writes 2 or 3`,
    );
  }
  const packages = root.packages;
  const reached = new Map<string, "prod" | "dev">();
  const visit = (starts: Record<string, string> | undefined, kind: "prod" | "dev") => {
    const queue: [string, string][] = Object.keys(starts ?? {}).map((n) => ["", n]);
    while (queue.length > 0) {
      const [from, name] = queue.shift()!;
      const path = resolveInstalled(packages, from, name);
      if (!path) {
        if (from === "")
          throw new Error(`package-lock.json holds no ${name}, which the functions need`);
        const entry = packages[from]!;
        const optional =
          name in (entry.optionalDependencies ?? {}) ||
          entry.peerDependenciesMeta?.[name]?.optional === true;
        if (optional) continue;
        throw new Error(`package-lock.json holds no ${name}, which ${from} needs`);
      }
      const seen = reached.get(path);
      if (seen === "prod" || seen === kind) continue;
      reached.set(path, kind);
      const entry = packages[path]!;
      for (const dep of Object.keys({
        ...entry.dependencies,
        ...entry.optionalDependencies,
        ...entry.peerDependencies,
      }))
        queue.push([path, dep]);
    }
  };
  visit(pkg.dependencies, "prod");
  visit(pkg.devDependencies, "dev");

  const out: Record<string, LockEntry> = {
    "": {
      name: pkg.name,
      version: pkg.version,
      ...(pkg.dependencies ? { dependencies: pkg.dependencies } : {}),
      ...(pkg.devDependencies ? { devDependencies: pkg.devDependencies } : {}),
    },
  };
  for (const path of [...reached.keys()].sort()) {
    const entry = { ...packages[path]! };
    const optional = entry.optional === true || entry.devOptional === true;
    delete entry.dev;
    delete entry.devOptional;
    delete entry.optional;
    delete entry.peer;
    if (reached.get(path) === "dev") entry.dev = true;
    if (optional) entry.optional = true;
    out[path] = entry;
  }
  return {
    name: pkg.name,
    version: pkg.version,
    lockfileVersion: root.lockfileVersion,
    requires: true,
    packages: out,
  };
}

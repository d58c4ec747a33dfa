/**
 * Names of project-scoped resources. Preview stacks usually share a Google Cloud project with dev,
 * so every name that must be unique in a project (service accounts, functions, scheduler jobs,
 * buckets) carries the stack name, and the same program can be `up` many times side by side.
 */

const ACCOUNT_ID_RE = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;

/** The stack name in the alphabet resource names accept: lowercase letters, digits, hyphens. */
export function stackSlug(stack: string): string {
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug === "")
    throw new Error(`Stack name "${stack}" has no letters or digits to name resources by`);
  return slug;
}

/** `<base>-<stack>`, for functions, scheduler jobs and alert display names. */
export function stackResourceName(base: string, stack: string): string {
  return `${base}-${stackSlug(stack)}`;
}

/**
 * A service account id (`<base>-<stack>`): 6 to 30 characters. A stack name too long for that is
 * refused here with the limit, rather than by the IAM API halfway through an `up`.
 */
export function serviceAccountId(base: string, stack: string): string {
  const id = stackResourceName(base, stack);
  if (!ACCOUNT_ID_RE.test(id)) {
    throw new Error(
      `Service account id "${id}" is invalid (6-30 characters, lowercase letters, digits, hyphens); ` +
        `use a shorter stack name`,
    );
  }
  return id;
}

/** Bucket names are global: the project id makes them unique, the stack keeps stacks apart. */
export function bucketName(project: string, stack: string, purpose: string): string {
  const name = `${project}-${stackSlug(stack)}-${purpose}`;
  if (name.length > 63) {
    throw new Error(`Bucket name "${name}" exceeds 63 characters; use a shorter stack name`);
  }
  return name;
}

/**
 * The preview-stack rule, defined once: a stack named `pr-<number>` is a pull request's preview
 * stack by its name alone. The Pulumi program, the preview and cleanup workflows and their tests
 * all use this module.
 */
export const PREVIEW_STACK_PATTERN = /^pr-([1-9]\d*)$/;

export function previewStackName(pullRequest: number): string {
  if (!Number.isInteger(pullRequest) || pullRequest < 1) {
    throw new Error(`A pull request number is a positive integer, got ${pullRequest}`);
  }
  return `pr-${pullRequest}`;
}

export function isPreviewStack(stack: string): boolean {
  return PREVIEW_STACK_PATTERN.test(stack);
}

/**
 * Suffix for the dataset ids of every stack (`raw_dev`, `raw_prod`, `raw_pr_123`), so any two
 * stacks of one project, previews or not, never claim the same dataset (two non-preview stacks
 * with bare `raw` would both try to create it, and the second `pulumi up` would fail with 409).
 * Dataset ids allow letters, digits and underscores only; the stack name is lowercased and every
 * other character becomes `_`.
 */
export function datasetSuffix(stack: string): string {
  const slug = stack.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (!/[a-z0-9]/.test(slug))
    throw new Error(`Stack name "${stack}" has no letters or digits to name datasets by`);
  return `_${slug}`;
}

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
 * Suffix for dataset ids on a preview stack (`raw_pr_123`), so previews never collide with each
 * other or with dev/prod. Dataset ids allow letters, digits and underscores only.
 */
export function datasetSuffix(stack: string): string {
  return isPreviewStack(stack) ? `_${stack.replace(/-/g, "_")}` : "";
}

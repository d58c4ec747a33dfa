/**
 * Test support (not a test): reads a generated workflow definition the way Workflows does,
 * step by step, so tests can ask what runs in which order and with which arguments.
 */

// Workflow bodies are free-form JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

export interface WorkflowStep {
  readonly name: string;
  readonly body: Body;
}

export type Definition = Record<string, { params?: string[]; steps: Body[] }>;

/** Every step, nested ones included (steps, try, except, for, switch, parallel), in order. */
export function stepsOf(steps: readonly Body[]): WorkflowStep[] {
  const out: WorkflowStep[] = [];
  for (const step of steps) {
    for (const [name, body] of Object.entries(step)) {
      out.push({ name, body });
      const nested: Body[][] = [];
      if (Array.isArray(body.steps)) nested.push(body.steps);
      if (body.try?.steps) nested.push(body.try.steps);
      if (body.except?.steps) nested.push(body.except.steps);
      if (body.for?.steps) nested.push(body.for.steps);
      for (const branch of body.switch ?? []) if (branch.steps) nested.push(branch.steps);
      for (const branch of body.parallel?.branches ?? [])
        for (const [, b] of Object.entries(branch as Body)) nested.push((b as Body).steps);
      if (body.parallel?.for?.steps) nested.push(body.parallel.for.steps);
      for (const inner of nested) out.push(...stepsOf(inner));
    }
  }
  return out;
}

/** The chain steps a list of steps runs, in order, by the label each marks before it runs. */
export function chainOrderOf(steps: readonly WorkflowStep[]): string[] {
  return steps
    .filter((s) => s.name.endsWith("_mark") && Array.isArray(s.body.assign))
    .map((s) => s.body.assign[0].step as string);
}

/** Every call step: which step, what it calls, with which arguments. */
export function callsOf(
  steps: readonly WorkflowStep[],
): { step: string; call: string; args: Body }[] {
  return steps
    .filter((s) => typeof s.body.call === "string")
    .map((s) => ({ step: s.name, call: s.body.call as string, args: (s.body.args ?? {}) as Body }));
}

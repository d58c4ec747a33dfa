import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_NAME } from "../config";
import {
  installRecordingMocks,
  settled,
  type InputsChange,
  type RecordedResource,
} from "./pulumiMocks";

/** A stack file's `config:` as Pulumi hands it to a program: objects and lists as JSON strings. */
export function stackFileConfig(stack: string): Record<string, string> {
  const file = join(__dirname, "..", "..", `Pulumi.${stack}.yaml`);
  const doc = parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/**
 * Runs the real program (infra/index.ts) under recording mocks for one stack and config, and
 * returns every resource it registered plus its exported outputs. One call per module registry:
 * Pulumi's runtime state lives there (see `runProgramIsolated` for more than one per file).
 */
export async function runProgram(
  stack: string,
  config: Record<string, string>,
  /** Changes resources as they register: how a test builds a deliberately broken program. */
  change?: InputsChange,
): Promise<{ created: RecordedResource[]; outputs: typeof import("../index") }> {
  const created = installRecordingMocks(PROJECT_NAME, stack, change);
  pulumi.runtime.setAllConfig(config);
  // require, not import(): the program must load after the mocks, in this module registry.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const outputs = require("../index") as typeof import("../index");
  await settled(created);
  return { created, outputs };
}

/**
 * `runProgram` in a module registry of its own, so one test file can run several stacks (dev and
 * prod of one project, a program and its deliberately broken twin) without their URNs colliding.
 */
export function runProgramIsolated(
  stack: string,
  config: Record<string, string>,
  change?: InputsChange,
): Promise<{ created: RecordedResource[]; outputs: typeof import("../index") }> {
  let run: Promise<{ created: RecordedResource[]; outputs: typeof import("../index") }>;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const isolated = require("./runProgram") as typeof import("./runProgram");
    run = isolated.runProgram(stack, config, change);
  });
  return run!;
}

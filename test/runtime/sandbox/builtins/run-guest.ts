/**
 * Runs a script body in the real sandbox (no agents) and returns what it
 * returned and logged, for tests of the built-ins.
 */
import { runScript } from "../../../../src/runtime/run-script.js";
import type { JsonValue, RunEvent, RunOutcome, SandboxLimits } from "../../../../src/runtime/types.js";
import { answeringRunner } from "../../../fakes/controlled-runner.js";

export async function runGuest(body: string, options: { args?: JsonValue; sandbox?: Partial<SandboxLimits> } = {}): Promise<RunOutcome & { events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const outcome = await runScript({
    runId: "builtins",
    source: `export const meta = { name: "builtins", description: "test" }\n${body}`,
    baseRevision: "base",
    runner: answeringRunner(() => "ok"),
    onEvent: (event) => events.push(event),
    ...(options.args === undefined ? {} : { args: options.args }),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  });
  return { ...outcome, events };
}

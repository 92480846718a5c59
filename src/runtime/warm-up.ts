/**
 * A process that will run scripts warms their path up when it starts: it
 * compiles the QuickJS module and the sandbox worker's code
 * (`prepareSandboxes`), then runs one small script whose agents answer at
 * once, so the engine's functions, the bridge and the scheduler are compiled
 * before the first run needs them rather than in its way to its first model
 * call. Nothing of it is stored or reported; it never rejects, and resolves
 * with whether the script ran to its end (three agents, result 2).
 *
 * With `runsAtOnce` (how many run steps the process takes at once), it also
 * keeps that many runs' worth of sandbox threads between runs
 * (`keepIdleSandboxThreads`), so that a wave of runs ending together does not
 * make the next wave start its threads again.
 */
import { runScript } from "./run-script.js";
import { ZERO_USAGE } from "./types.js";
import { prepareSandboxes } from "./sandbox/start-sandbox.js";
import { keepIdleSandboxThreads } from "./sandbox/sandbox-threads.js";

const WARM_UP_SCRIPT = `export const meta = { name: "warm-up", description: "compiles the script path once at start" }
const found = await agent("list", { label: "list", schema: { type: "object", properties: { files: { type: "array", items: { type: "string" } } } } })
const checked = await parallel(found.files.map((file) => () => agent("check " + file, { label: file })))
return checked.filter(Boolean).length
`;

export async function warmUpScripts(options: { runsAtOnce?: number } = {}): Promise<boolean> {
  if (options.runsAtOnce !== undefined) keepIdleSandboxThreads(options.runsAtOnce);
  await prepareSandboxes();
  const outcome = await runScript({
    runId: "warm-up",
    source: WARM_UP_SCRIPT,
    filename: "warm-up.js",
    baseRevision: "warm-up",
    runner: {
      run: async (request) => ({
        output: request.prompt === "list" ? { files: ["a", "b"] } : "ok",
        usage: { ...ZERO_USAGE },
        costUsd: 0,
      }),
    },
  }).catch(() => null);
  return outcome?.status === "ok" && outcome.result === 2 && outcome.agents.length === 3;
}

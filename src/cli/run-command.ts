/**
 * `dynflow run`: the whole engine on a local repository. Plans the task (or
 * runs the given script or named workflow), refutes every change, merges what
 * converged into a local branch `dynflow/<run-id>` without touching the
 * checkout, HEAD or index, and writes the report into the repository's git
 * directory. The run is kept in the repository's local store as it goes, so
 * `dynflow resume` continues it; `executeLocalRun` does both.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { JsonValue } from "../runtime/types.js";
import { jsonFlag, UsageError, type CliIo } from "./cli-io.js";
import { executeLocalRun } from "./execute-local-run.js";
import { SETTINGS_OPTIONS, settingsOf } from "./settings-flags.js";

export const RUN_USAGE = `Usage: dynflow run --repo <path> (--task "<text>" | --script <file.js> | --workflow <name>) [options]

Runs a workflow on a local git repository with real agents: plans the task (or runs
the script or the named workflow), lets independent refuters try to refute every
change, merges what converged into the local branch dynflow/<run-id> and writes a
report. Your checkout, HEAD and index are not touched. Settings come from the
repository's .github/dynflow.yml at the base commit; the flags below win over it.
Ctrl-C stops the run and still merges finished work and writes the report; a second
Ctrl-C exits at once.

The run is kept in the repository's local store (<git-dir>/dynflow/runs.db):
"dynflow resume <run>" continues it without paying again for finished agents,
"dynflow show" and "dynflow ui" show it agent by agent.

Options:
  --repo PATH             the git repository (required)
  --task TEXT             what to do, in words; dynflow plans the script
  --script FILE           a plan script to run instead of planning one
  --workflow NAME         a saved workflow (.claude/workflows/NAME.js at the base) or a
                          bundled one (audit, migrate, review)
  --args JSON             value of the script's \`args\` (with --script or --workflow)
  --base REV              the commit to start from (default HEAD)
  --max-concurrency N     agents running at once (1-256, default 16)
  --max-agents N          agents per run (default 1000)
  --budget-tokens N       token budget (default none)
  --budget-usd N          dollar budget (default none)
  --refuters N            refuters per claim (1-16, default 2)
  --rounds N              rounds of converge() (1-10, default 3)
  --command NAME=LINE     a command agents and checks may run in the sandbox, over the
                          repository's commands: (repeat it; e.g. --command "test=npm test")
  --setup LINE            run once on the base tree before agents start, in place of the
                          repository's setup: (repeat it for several, in order)
  --json                  print one JSON object at the end instead of the summary

Exit codes: 0 the run ended ok and everything converged; 1 anything else (a script
error, a cap, the budget, a cancel, a failed plan, work that did not converge);
2 bad usage; 130 a second Ctrl-C.

Environment:
  ANTHROPIC_API_KEY       the model API key (required)
  ANTHROPIC_BASE_URL      the model API's URL (default https://api.anthropic.com)
`;

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: "string" },
      task: { type: "string" },
      script: { type: "string" },
      workflow: { type: "string" },
      args: { type: "string" },
      base: { type: "string" },
      ...SETTINGS_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.repo === undefined) throw new UsageError("--repo is required: the path of a local git repository");
  const given = [values.task, values.script, values.workflow].filter((value) => value !== undefined).length;
  if (given !== 1) throw new UsageError("give exactly one of --task, --script or --workflow");
  if (values.task !== undefined && values.task.trim() === "") throw new UsageError("--task is empty; say what to do");
  if (values.args !== undefined && values.task !== undefined) throw new UsageError("--args goes with --script or --workflow; a planned script gets the task");
  const args = jsonFlag("args", values.args) as JsonValue | undefined;
  const settings = settingsOf(values);
  const script = values.script === undefined ? null : await readScript(resolve(io.cwd, values.script), values.script);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export your Anthropic API key to run agents");

  return executeLocalRun(io, {
    repoDir: resolve(io.cwd, values.repo),
    apiKey,
    json: values.json,
    start: { base: values.base, task: values.task ?? null, script, workflow: values.workflow ?? null, args, settings },
  });
}

async function readScript(path: string, given: string): Promise<{ source: string; filename: string }> {
  const source = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --script ${path}: ${error.code ?? error.message}`);
  });
  return { source, filename: given };
}

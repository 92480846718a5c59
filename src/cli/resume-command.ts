/**
 * `dynflow resume <run>`: continues a local run that stopped (cancelled, a
 * cap, the budget, an error, or a process that was killed) with the same base
 * commit, script and `args`; agents that finished before are replayed from
 * the run's journal at no cost.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError, type CliIo } from "./cli-io.js";
import { executeLocalRun } from "./execute-local-run.js";
import { SETTINGS_OPTIONS, settingsOf } from "./settings-flags.js";
import { checkRunId } from "./show-command.js";

export const RESUME_USAGE = `Usage: dynflow resume <run-id> [--repo <path>] [options]

Continues a local run from where it stopped (cancelled, a cap, the budget, an error,
or a dynflow process that was killed): the same base commit, script and args. Every
agent that finished before is replayed from the run's journal at no cost; the rest run,
then the accepted changes are merged into dynflow/<run-id> and the report is written
again. Settings come from the repository's .github/dynflow.yml at the run's base
commit, with the run's own flags over it; flags given here replace the run's own, so
a run stopped by its budget goes further with a higher --budget-usd. Ctrl-C stops
the run and still merges finished work and writes the report; a second Ctrl-C exits
at once.

Options:
  --repo PATH             the git repository (default: the current directory)
  --max-concurrency N     agents running at once (1-256)
  --max-agents N          agents per run, replayed ones included
  --budget-tokens N       token budget
  --budget-usd N          dollar budget
  --refuters N            refuters per claim (1-16)
  --rounds N              rounds of converge() (1-10)
  --command NAME=LINE     a sandboxed command over the ones the run had (repeat it)
  --setup LINE            setup commands in place of the ones the run had (repeat it)
  --json                  print one JSON object at the end instead of the summary

Exit codes: as for dynflow run; 1 also when the run does not exist, ended ok, or
is being executed by another dynflow process.

Environment:
  ANTHROPIC_API_KEY       the model API key (required)
  ANTHROPIC_BASE_URL      the model API's URL (default https://api.anthropic.com)
`;

export async function resumeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { repo: { type: "string" }, ...SETTINGS_OPTIONS, json: { type: "boolean", default: false } },
  });
  if (positionals.length !== 1) throw new UsageError("give the id of the run to resume (dynflow show lists the runs)");
  const runId = checkRunId(positionals[0] ?? "");
  const overrides = settingsOf(values);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export your Anthropic API key to run agents");
  return executeLocalRun(io, { repoDir: resolve(io.cwd, values.repo ?? "."), apiKey, json: values.json, resume: { runId, overrides } });
}

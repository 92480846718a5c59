/**
 * `dynflow show [<run>] [--agent <id or label>]`: the dashboard's drill-down
 * as text, from the repository's local store: the runs, one run's agents as a
 * timeline, one agent's transcript.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { readAgentView, readRunView } from "../dashboard/read-run-views.js";
import { renderAgentText, renderRunsText, renderRunText } from "../dashboard/render/render-text.js";
import { LocalAgentNotFoundError, LocalRunNotFoundError } from "../local-runs/errors.js";
import { findGitDir } from "../local-runs/find-git-dir.js";
import { localStorePath, openLocalStore } from "../local-runs/open-local-store.js";
import type { Timeline } from "../dashboard/build-timeline.js";
import { systemClock, type Clock } from "../time.js";
import { intFlag, UsageError, type CliIo } from "./cli-io.js";

export const SHOW_USAGE = `Usage: dynflow show [<run-id>] [--agent <id or label>] [--repo <path>] [options]

Shows the local runs of a repository, agent by agent, as the dashboard does:
  dynflow show                      its runs, newest first
  dynflow show <run>                the run: status, spend, its agents as a timeline by
                                    phase (when each was queued, ran and ended; verdicts)
  dynflow show <run> --agent <a>    one agent's transcript: its prompt, each turn and tool
                                    call with input and output, its result and diff, and the
                                    refuters of its change with their verdicts and evidence

Options:
  --repo PATH     the git repository (default: the current directory)
  --agent A       an agent's id (a12) or label (or a unique part of one)
  --full          also print the shared system prompt and task context (with --agent),
                  or the plan script and the report (without)
  --limit N       runs listed (1-1000, default 20)
`;

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A run id from the command line, or a usage error. */
export function checkRunId(value: string): string {
  if (!RUN_ID.test(value)) throw new UsageError(`"${value}" is not a run id (letters, digits, "-" and "_")`);
  return value;
}

/** Injected by tests. */
export interface ShowCommandDeps {
  clock?: Clock;
}

export async function showCommand(argv: string[], io: CliIo, deps: ShowCommandDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { repo: { type: "string" }, agent: { type: "string" }, full: { type: "boolean", default: false }, limit: { type: "string" } },
  });
  if (positionals.length > 1) throw new UsageError("give at most one run id");
  const runId = positionals[0] === undefined ? null : checkRunId(positionals[0]);
  if (values.agent !== undefined && runId === null) throw new UsageError("--agent needs the run id: dynflow show <run> --agent <id or label>");
  if (values.agent !== undefined && values.agent.trim() === "") throw new UsageError("--agent is empty; give an agent's id or label");
  const limit = intFlag("limit", values.limit, 1, 1000) ?? 20;
  const clock = deps.clock ?? systemClock;

  const repoDir = resolve(io.cwd, values.repo ?? ".");
  const gitDir = await findGitDir(repoDir, io.env as NodeJS.ProcessEnv);
  if (gitDir === null) throw new UsageError(`${repoDir} is not in a git repository; give one with --repo`);
  const path = localStorePath(gitDir);
  // A read never creates the store: a repository without runs has none.
  if (!existsSync(path)) {
    if (runId !== null) throw new LocalRunNotFoundError(runId, path);
    io.stdout(`No local runs in ${repoDir} yet: "dynflow run" keeps them in ${path}.\n`);
    return 0;
  }
  const store = await openLocalStore(gitDir, { clock });
  try {
    if (runId === null) {
      io.stdout(renderRunsText(await store.runs.listRecent({ limit }), clock.now()));
      return 0;
    }
    const run = await store.runs.get(runId);
    if (!run) throw new LocalRunNotFoundError(runId, path);
    const view = await readRunView(store, run);
    if (values.agent === undefined) {
      io.stdout(renderRunText(view, { now: clock.now(), full: values.full }));
      return 0;
    }
    const agentId = pickAgent(run.id, values.agent.trim(), view.timeline);
    const agent = await readAgentView(store, run, agentId, view.timeline);
    if (agent === null) throw new LocalAgentNotFoundError(run.id, values.agent, []);
    io.stdout(renderAgentText(run.id, agent, { full: values.full }));
    return 0;
  } finally {
    await store.close();
  }
}

/** The agent `wanted` names: an id, an exact label, or a unique part of a label. */
function pickAgent(runId: string, wanted: string, timeline: Timeline): string {
  if (/^a[0-9]{1,7}$/.test(wanted)) return wanted;
  const exact = timeline.agents.filter((agent) => agent.label === wanted);
  const found = exact.length > 0 ? exact : timeline.agents.filter((agent) => agent.label.toLowerCase().includes(wanted.toLowerCase()));
  const first = found[0];
  if (found.length === 1 && first) return first.id;
  throw new LocalAgentNotFoundError(
    runId,
    wanted,
    found.slice(0, 20).map((agent) => `${agent.id} ${agent.label}`),
  );
}

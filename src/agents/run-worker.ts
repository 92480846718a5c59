/**
 * A worker agent: a tool loop over its own workspace forked from the run's
 * base commit (holding an earlier attempt's change, when its subject names one). Whatever happens, the work it did is committed on its branch
 * (marked incomplete when it did not finish), so nothing is silently lost.
 */
import type { Logger } from "pino";
import { AgentFailedError } from "../runtime/errors.js";
import { ZERO_USAGE, type AgentRequest, type AgentResult, type ChangeRef } from "../runtime/types.js";
import { DEFAULT_PROTECTED_PATHS, agentSlug, type Workspace } from "../workspace/index.js";
import { describeStop, labelOf, loopOptions, maxTurnsOf, metaOf, modelOf, type AgentEnv } from "./agent-env.js";
import { WORKER_SYSTEM_PROMPT, workerMessage } from "./prompts/worker-prompt.js";
import { parseWorkerSubject } from "./parse-subject.js";
import { runToolLoop } from "./run-tool-loop.js";
import { createFinishTool } from "./tools/create-finish-tool.js";
import { createReadTools } from "./tools/create-read-tools.js";
import { createWriteTools } from "./tools/create-write-tools.js";
import { createCommandTool } from "./tools/create-command-tool.js";
import { messageOf } from "../errors.js";

const SUMMARY_HINT =
  "What you changed and why, file by file, and anything you could not do or left undone, with the reason.";

/** Runs one worker; see the module comment. Throws `AgentFailedError` (with the partial change) when it fails. */
export async function runWorker(env: AgentEnv, request: AgentRequest): Promise<AgentResult> {
  const { options } = request;
  const label = labelOf(request);
  // Stable across retries and replays, unique per agent: see agentSlug.
  const slug = agentSlug(label, request.key);
  const log = env.log.child({ agentId: request.agentId, role: "worker", slug });
  const start = parseWorkerSubject(options.subject);
  const workspace = await env.repository.fork({
    runId: env.runId,
    slug,
    baseCommit: env.baseCommit,
    writeScopes: options.write,
    protectedPaths: env.protectedPaths,
  });
  const previous = start && (await startFrom(env, workspace, start, label));
  const tools = [
    ...createReadTools(workspace, "your workspace (your own edits included)"),
    ...createWriteTools(workspace),
    ...(env.commands ? [createCommandTool(env.commands, () => workspace.layer(), "your workspace (the base tree with your edits)")] : []),
    createFinishTool({ schema: options.schema, validate: request.validate, summaryHint: SUMMARY_HINT }),
  ];
  const prompt = workerMessage({
    prompt: request.prompt,
    write: options.write,
    protectedPaths: env.protectedPaths ?? DEFAULT_PROTECTED_PATHS,
    schema: options.schema,
    feedback: request.feedback,
    previous,
    maxDiffChars: env.limits.maxDiffChars,
  });
  const loop = await runToolLoop(loopOptions(env, request, "worker", { system: WORKER_SYSTEM_PROMPT, prompt, tools, log }));

  const model = modelOf(env, request, "worker");
  const maxTurns = maxTurnsOf(env, request);
  const finish = loop.stop === "finished" ? loop.finish : null;
  const why = describeStop(loop, maxTurns);
  const summary = finish?.summary ?? `Incomplete: the agent ${why}.${loop.lastText ? `\n\n${loop.lastText}` : ""}`;
  let change: ChangeRef | null;
  try {
    change = await commitWork(workspace, { label, summary, incomplete: finish === null, env, log });
  } catch (error) {
    throw new AgentFailedError(`worker "${label}" finished but its work could not be committed: ${messageOf(error)}`, loop.usage, loop.costUsd, {
      cause: error,
    });
  }
  const meta = metaOf(loop, summary, model);
  log.info({ stop: loop.stop, turns: loop.turns, usage: loop.usage, costUsd: loop.costUsd, files: change?.files.length ?? 0 }, "worker stopped");

  if (finish !== null) return { output: finish.result, usage: loop.usage, costUsd: loop.costUsd, change, meta };
  // Without a schema, whatever the worker last said is a usable (partial) answer; with one, there is no valid result.
  if (loop.stop === "max_turns" && options.schema === undefined) {
    const note = `The agent ${why}.${change ? ` Its partial work is on branch ${change.branch}.` : ""}`;
    return { output: loop.lastText ?? note, usage: loop.usage, costUsd: loop.costUsd, change, meta };
  }
  const kept = change ? `; its partial work is kept on branch ${change.branch}` : "";
  throw new AgentFailedError(`worker "${label}" ${why}${kept}`, loop.usage, loop.costUsd, { cause: loop.error ?? undefined, change });
}

/**
 * Makes an earlier attempt's change the workspace's own edits (the next round
 * of a line of work continues from the last), under this worker's write rules;
 * returns it with its diff for the worker's message. Fails the agent, before
 * any token is spent, when the change is not on the run's base or a file of
 * it cannot be written here.
 */
async function startFrom(env: AgentEnv, workspace: Workspace, change: ChangeRef, label: string): Promise<{ change: ChangeRef; diff: string }> {
  const fail = (why: string, cause?: unknown): never => {
    throw new AgentFailedError(`worker "${label}" cannot start from the change ${change.commit} on ${change.branch || "no branch"}: ${why}`, { ...ZERO_USAGE }, 0, { cause });
  };
  try {
    const [base, changeBase] = await Promise.all([env.repository.resolveCommit(env.baseCommit), env.repository.resolveCommit(change.base)]);
    if (base !== changeBase) fail(`it was made on ${change.base}, not on the run's base ${env.baseCommit}`);
    await workspace.apply(await env.repository.layerBetween(base, change.commit));
    return { change, diff: await env.repository.diff(base, change.commit) };
  } catch (error) {
    if (error instanceof AgentFailedError) throw error;
    return fail(messageOf(error), error);
  }
}

/**
 * Commits whatever the workspace holds. A failing commit of finished work
 * fails the agent (its result would describe a change that does not exist);
 * for partial work it is logged and the agent fails for its own reason.
 */
async function commitWork(
  workspace: Workspace,
  work: { label: string; summary: string; incomplete: boolean; env: AgentEnv; log: Logger },
): Promise<ChangeRef | null> {
  try {
    return await workspace.commit({ message: `${work.label}\n\n${work.summary}`, author: work.env.author, incomplete: work.incomplete });
  } catch (error) {
    if (!work.incomplete) throw error;
    work.log.error({ err: error }, "could not commit the partial work of a worker");
    return null;
  }
}

/**
 * A refuter agent: a fresh conversation with read-only tools over the
 * change's tree (and its base), that sees the task, the claim and the diff,
 * never the worker's conversation, and tries to refute the claim.
 */
import type { AgentRequest, AgentResult } from "../runtime/types.js";
import { loopOptions, readOnlyResultOf, type AgentEnv } from "./agent-env.js";
import { parseRefuterSubject } from "./parse-subject.js";
import { refuterMessage, refuterSystemPrompt } from "./prompts/refuter-prompt.js";
import { runToolLoop } from "./run-tool-loop.js";
import { createFinishTool } from "./tools/create-finish-tool.js";
import { createBaseTools, createReadTools } from "./tools/create-read-tools.js";
import { createCommandTool } from "./tools/create-command-tool.js";
import type { LayerFile } from "../workspace/index.js";

const SUMMARY_HINT = "What you checked and what you found, citing path:line for each finding.";

/**
 * Runs one refuter and returns its verdict as `output` (shaped by the
 * caller's schema). Throws `AgentFailedError` when it ends without one, which
 * the caller counts as `unverified`.
 */
export async function runRefuter(env: AgentEnv, request: AgentRequest): Promise<AgentResult> {
  const { options } = request;
  const { change, claim } = parseRefuterSubject(options.subject);
  const log = env.log.child({ agentId: request.agentId, role: "refuter", change: change?.commit ?? null });
  const tree = await env.repository.readOnly(change?.commit ?? env.baseCommit);
  const tools = [
    ...createReadTools(tree, change ? "the repository with the change applied" : "the repository"),
    ...(change ? createBaseTools(await env.repository.readOnly(change.base)) : []),
    ...(env.commands ? [commandTool(env, change?.commit ?? env.baseCommit, change ? "the repository with the change applied" : "the repository")] : []),
    createFinishTool({ schema: options.schema, validate: request.validate, summaryHint: SUMMARY_HINT }),
  ];
  const diff = change && change.files.length > 0 ? await env.repository.diff(change.base, change.commit) : "";
  const prompt = refuterMessage({
    prompt: request.prompt,
    claim,
    change,
    baseCommit: env.baseCommit,
    diff,
    maxDiffChars: env.limits.maxDiffChars,
    schema: options.schema,
    feedback: request.feedback,
  });
  const loop = await runToolLoop(loopOptions(env, request, "refuter", { system: refuterSystemPrompt(env.commands !== undefined), prompt, tools, log }));
  log.info({ stop: loop.stop, turns: loop.turns, usage: loop.usage, costUsd: loop.costUsd }, "refuter stopped");

  return readOnlyResultOf(env, request, "refuter", loop, "verdict");
}

/** `run_command` on `commit`'s tree; its changes over the run's base are read once, on first use. */
function commandTool(env: AgentEnv, commit: string, where: string) {
  const commands = env.commands as NonNullable<AgentEnv["commands"]>;
  let layer: Promise<LayerFile[]> | undefined;
  return createCommandTool(commands, () => (layer ??= env.repository.layerBetween(env.baseCommit, commit)), where);
}

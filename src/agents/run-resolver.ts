/**
 * A resolver agent: one conversation, no tools but `finish`, that turns the
 * versions of each conflicted file into merged contents.
 */
import type { AgentRequest, AgentResult } from "../runtime/types.js";
import { loopOptions, readOnlyResultOf, type AgentEnv } from "./agent-env.js";
import { parseResolverSubject } from "./parse-subject.js";
import { RESOLVER_SYSTEM_PROMPT, resolverMessage } from "./prompts/resolver-prompt.js";
import { runToolLoop } from "./run-tool-loop.js";
import { createFinishTool } from "./tools/create-finish-tool.js";

const SUMMARY_HINT = "How you resolved each conflicted file, and any contradiction you had to decide.";

/** Runs one resolver and returns its resolution as `output`; throws `AgentFailedError` when it gives none. */
export async function runResolver(env: AgentEnv, request: AgentRequest): Promise<AgentResult> {
  const { options } = request;
  const subject = parseResolverSubject(options.subject);
  const log = env.log.child({ agentId: request.agentId, role: "resolver", conflict: subject.label });
  const tools = [createFinishTool({ schema: options.schema, validate: request.validate, summaryHint: SUMMARY_HINT })];
  const prompt = resolverMessage({ prompt: request.prompt, ...subject, schema: options.schema, feedback: request.feedback });
  const loop = await runToolLoop(loopOptions(env, request, "resolver", { system: RESOLVER_SYSTEM_PROMPT, prompt, tools, log }));
  log.info({ stop: loop.stop, turns: loop.turns, usage: loop.usage, costUsd: loop.costUsd }, "resolver stopped");

  return readOnlyResultOf(env, request, "resolver", loop, "resolution");
}

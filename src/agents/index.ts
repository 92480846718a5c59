/**
 * Agents: the runner that turns `agent()` calls into worker, refuter and
 * resolver agents, the conflict resolver reconciliation uses, and the shared
 * vocabulary of outcomes.
 */
export { createAgentRunner, DEFAULT_AGENT_LIMITS, type AgentRunnerDeps } from "./create-agent-runner.js";
export { createConflictResolver, RESOLUTION_SCHEMA, type ConflictResolverDeps, type ResolverReport } from "./create-conflict-resolver.js";
export { InvalidAgentSubjectError, ToolInputError } from "./errors.js";
export { ELIDED_NOTE } from "./shrink-context.js";
export type { RefuterSubject, ResolverSubject } from "./parse-subject.js";
export type * from "./types.js";

/**
 * Agent setup: what an `agent()` call becomes before it runs (agent type,
 * model shortcuts, effort, tools), shared by real runs, estimates and
 * simulations.
 */
export { createAgentPreparer } from "./create-agent-preparer.js";
export type { AgentPreparerOptions } from "./create-agent-preparer.js";
export { createAgentTypeLoader, AGENTS_DIR } from "./load-agent-types.js";
export type { AgentDefinitionSource, AgentTypeLoader, LoadedAgentType } from "./load-agent-types.js";
export { definitionsAtCommit } from "./definition-sources.js";
export { InvalidAgentDefinitionError, ModelWithoutPriceError } from "./errors.js";
export { CLAUDE_TOOL_NAMES, mapClaudeTools } from "./claude-tool-names.js";
export { BUILTIN_AGENT_TYPES } from "./builtin-agent-types.js";
export { parseAgentDefinition } from "./parse-agent-definition.js";
export type { AgentDefinition } from "./parse-agent-definition.js";
export { createRunAgentSetup, catchFatal } from "./create-run-agent-setup.js";
export type { RunAgentSetupOptions } from "./create-run-agent-setup.js";
export { checkScriptModels } from "./check-script-models.js";
export { definitionsOnGitHub } from "./github-definitions.js";

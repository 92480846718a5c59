/**
 * The planner: a task in words becomes a validated plan script.
 */
export { buildPlanPrompt, HONEST_DEFAULT_RULE, SUBMIT_PLAN_TOOL } from "./build-plan-prompt.js";
export type { PlanPrompt, PlanPromptInput } from "./build-plan-prompt.js";
export { buildRepoOverview } from "./build-repo-overview.js";
export type { RepoOverview, RepoOverviewOptions } from "./build-repo-overview.js";
export { decidePlanKind, DEFAULT_SINGLE_AGENT_TOKENS } from "./decide-plan-kind.js";
export type { DecisionLimits, PlanDecision, PlanKind } from "./decide-plan-kind.js";
export { countModuleFiles, detectModules } from "./detect-modules.js";
export type { ModuleDefinition, RepoModule } from "./detect-modules.js";
export { PlanFailedError } from "./errors.js";
export { DEFAULT_MAX_RELEVANT_FILES, estimateRelevantTokens } from "./estimate-relevant-tokens.js";
export type { RelevantEstimate, RelevantOptions } from "./estimate-relevant-tokens.js";
export { extractTaskTerms } from "./extract-task-terms.js";
export type { TaskTerms } from "./extract-task-terms.js";
export { fenceUntrusted } from "./fence-untrusted.js";
export { planScript } from "./plan-script.js";
export type { PlanResult, PlanScriptOptions } from "./plan-script.js";
export { DEFAULT_OVERVIEW_CHARS, DEFAULT_README_CHARS, renderRepoOverview } from "./render-repo-overview.js";
export type { OverviewInput } from "./render-repo-overview.js";
export { PLAN_FILENAME, requestPlanScript } from "./request-plan-script.js";
export type { RequestPlanOptions, WrittenPlan } from "./request-plan-script.js";
export { SINGLE_AGENT_SCRIPT, SINGLE_AGENT_SCRIPT_NAME } from "./single-agent-script.js";

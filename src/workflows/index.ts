/**
 * Workflows by name: the ones shipped with dynflow, the ones saved in a
 * repository, and how a run finds one.
 */
export { BUNDLED_WORKFLOWS_DIR, listBundledWorkflows, readBundledWorkflow } from "./bundled-workflows.js";
export type { BundledWorkflow, BundledWorkflowOptions } from "./bundled-workflows.js";
export { InvalidWorkflowNameError, UnreadableWorkflowError } from "./errors.js";
export { checkWorkflowName, findSavedWorkflow, MAX_WORKFLOW_BYTES, readSavedWorkflow, SAVED_WORKFLOW_DIRS } from "./read-saved-workflow.js";
export type { ReadSavedWorkflowOptions, SavedWorkflow } from "./read-saved-workflow.js";
export { createRunWorkflowResolver, findRunWorkflow } from "./resolve-run-workflow.js";
export type { FoundWorkflow } from "./resolve-run-workflow.js";
export { createWorkflowResolver, findWorkflow } from "./resolve-workflow.js";
export type { ResolveWorkflowOptions, WorkflowSource } from "./resolve-workflow.js";
export { checkScriptPath, githubScriptPath, readScriptPath } from "./read-script-path.js";
export { githubWorkflowFiles, localWorkflowFiles } from "./workflow-files.js";
export type { WorkflowFileEntry, WorkflowFiles } from "./workflow-files.js";

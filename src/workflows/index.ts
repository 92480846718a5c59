/**
 * Workflows shipped with dynflow and how a workflow name is found.
 */
export { BUNDLED_WORKFLOWS_DIR, listBundledWorkflows, readBundledWorkflow } from "./bundled-workflows.js";
export type { BundledWorkflow, BundledWorkflowOptions } from "./bundled-workflows.js";
export { createWorkflowResolver, findWorkflow } from "./resolve-workflow.js";
export type { ResolveWorkflowOptions, WorkflowSource } from "./resolve-workflow.js";

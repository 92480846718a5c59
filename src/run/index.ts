/**
 * One run on a local repository, start to end, and what reports it.
 */
export { buildReportModel, withConflicts, withRunExtras, type ExtraSpend, type ReportInput, type RunReportExtras } from "./build-report-model.js";
export { renderProgressBlock, renderProgressLine, renderStageLine } from "./render-progress.js";
export { DEFAULT_AUTHOR, DEFAULT_REVIEW, runWorkflow } from "./run-workflow.js";
export { toRunJson, type RunJson } from "./to-run-json.js";
export type * from "./types.js";

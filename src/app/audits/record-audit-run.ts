/**
 * An audit run as recorded, whoever asked for it (`/dynflow audit <name>` or
 * the audit's schedule): the configured audit's workflow, run on the head of
 * the default branch with the audit's args and budget, its model calls
 * batched when the audit says `batch: true`. It opens no pull request; it
 * reports to the audit's issue (`finishAuditRun`).
 */
import type { AppConfig } from "../../config/load-env.js";
import type { AuditConfig, RepoConfig } from "../../config/repo-config.js";
import type { GitHubClient } from "../../github/github-client.js";
import { DuplicateRunError, type RunRecord } from "../../store/index.js";
import { githubWorkflowFiles, listBundledWorkflows, findRunWorkflow, type WorkflowSource } from "../../workflows/index.js";
import { AuditWorkflowNotFoundError } from "../errors.js";
import type { RunBase } from "../commands/resolve-base.js";
import { buildRunSettings, toSettingsJson, type RunSettings } from "../run-record/run-settings.js";
import { toPlanJson } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** The comment that asked for an audit run. */
export interface AuditTrigger {
  issueNumber: number;
  commentId: number;
  commentUrl: string;
  requester: string;
}

export interface AuditRunRequest {
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  audit: AuditConfig;
  /** The repository's config: models, caps, refuters and protected paths of the run. */
  config: RepoConfig;
  /** The head of the default branch. */
  base: RunBase;
  workflow: WorkflowSource;
  /** The command; null for a scheduled run (no issue, no comment, nobody asked). */
  trigger: AuditTrigger | null;
}

/**
 * Resolves what an audit runs at `base`: the saved workflow of its name, else
 * the bundled one. Throws `AuditWorkflowNotFoundError` when there is neither.
 */
export async function findAuditWorkflow(github: GitHubClient, where: { owner: string; repo: string }, base: RunBase, audit: AuditConfig): Promise<WorkflowSource> {
  const found = await findRunWorkflow(githubWorkflowFiles(github, { ...where, ref: base.sha }), audit.workflow);
  if (found === null) throw new AuditWorkflowNotFoundError(audit.name, audit.workflow, await listBundledWorkflows());
  return found;
}

/** The settings of an audit run: the repository's, with the audit's own budget where it sets one. */
export function auditRunSettings(config: RepoConfig, audit: AuditConfig, ceilings: AppConfig["caps"]): RunSettings {
  const budget = { tokens: audit.budget?.tokens ?? config.budget.tokens, usd: audit.budget?.usd ?? config.budget.usd };
  return buildRunSettings({ ...config, budget }, ceilings);
}

/**
 * Records the run, queued for planning. Null when the id is taken: the same
 * comment, or the same scheduled occurrence, delivered again.
 */
export async function recordAuditRun(runtime: Pick<AppRuntime, "store" | "caps">, request: AuditRunRequest): Promise<RunRecord | null> {
  const { audit, trigger, workflow } = request;
  try {
    return await runtime.store.runs.create({
      id: request.id,
      installationId: request.installationId,
      owner: request.owner,
      repo: request.repo,
      kind: "audit",
      status: "queued",
      issueNumber: trigger?.issueNumber ?? null,
      commandCommentId: trigger?.commentId ?? null,
      requester: trigger?.requester ?? null,
      task: null,
      workflow: audit.name,
      args: audit.args ?? null,
      script: workflow.source,
      baseRef: request.base.ref,
      baseSha: request.base.sha,
      plan: toPlanJson({
        stopAfterPlan: false,
        filename: workflow.filename,
        ...(trigger ? { commandUrl: trigger.commentUrl } : {}),
        ...(audit.batch ? { batch: true } : {}),
      }),
      limits: toSettingsJson(auditRunSettings(request.config, audit, runtime.caps)),
    });
  } catch (error) {
    if (error instanceof DuplicateRunError) return null;
    throw error;
  }
}

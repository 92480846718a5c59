/**
 * `/dynflow audit <name>`: runs the audit `<name>` of `.github/dynflow.yml`
 * now, outside its schedule, on the head of the default branch (also when
 * asked on a pull request: an audit is about the repository, not a change).
 * The status comment follows the run and, at the end, links the audit's issue.
 */
import type { AuditCommand } from "../../commands/parse-command.js";
import type { AuditConfig, RepoConfig } from "../../config/repo-config.js";
import { REPO_CONFIG_PATH } from "../../config/render-config-errors.js";
import { codeSpan } from "../../report/escape-markdown.js";
import type { CommandInput } from "./command-input.js";
import { ModelNotConfiguredError } from "../errors.js";
import { queueNewRun } from "./queue-new-run.js";
import { findAuditWorkflow, recordAuditRun } from "../audits/record-audit-run.js";
import { resolveBase } from "./resolve-base.js";
import type { AppRuntime } from "../services/types.js";

/** Records the audit run and queues it; replies instead when the audit does not exist or cannot run. */
export async function startAudit(input: CommandInput, runtime: AppRuntime, command: AuditCommand, config: RepoConfig): Promise<void> {
  // One comment starts at most one run, even when GitHub delivers it twice under different ids.
  if ((await runtime.store.runs.findByCommandComment(input.comment.id)) !== undefined) return;
  const audit = config.audits.find((candidate) => candidate.name === command.name);
  if (audit === undefined) return input.reply(renderUnknownAudit(command.name, config.audits));
  if (runtime.createModel === null) return input.reply(`**dynflow did not start:** ${new ModelNotConfiguredError().message}.`);

  const base = await resolveBase(input.github, { ...input, isPullRequest: false });
  const workflow = await findAuditWorkflow(input.github, { owner: input.owner, repo: input.repo }, base, audit);
  const run = await recordAuditRun(runtime, {
    id: runtime.newRunId(),
    installationId: input.installationId,
    owner: input.owner,
    repo: input.repo,
    audit,
    config,
    base,
    workflow,
    trigger: { issueNumber: input.issueNumber, commentId: input.comment.id, commentUrl: input.comment.url, requester: input.sender },
  });
  if (run === null) return;
  input.log.info({ runId: run.id, audit: audit.name, workflow: workflow.filename, batch: audit.batch === true, base: base.sha }, "audit requested");
  await queueNewRun(run, runtime, input.log);
}

/** The reply to an audit name the config does not declare: the ones it does. */
export function renderUnknownAudit(name: string, audits: readonly AuditConfig[]): string {
  const known =
    audits.length === 0
      ? `It declares no audits; add one under \`audits:\` (name, cron, workflow, args).`
      : `Its audits: ${audits.map((audit) => codeSpan(audit.name)).join(", ")}.`;
  return `**dynflow did not start:** \`${REPO_CONFIG_PATH}\` has no audit ${codeSpan(name)}. ${known}`;
}

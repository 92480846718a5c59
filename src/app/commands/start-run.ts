/**
 * `/dynflow run` and `/dynflow plan`: record the run and queue its planning,
 * then return at once (GitHub gives a webhook ten seconds). What runs is a
 * workflow when the first word names one: saved at the base commit
 * (`.claude/workflows/<name>.js` or `.github/dynflow/workflows/<name>.js`)
 * or, failing that, bundled with dynflow (`workflows/<name>.js`); else the
 * text is a task for the planner. On a pull request from a fork, saved
 * workflows come from the default branch, and only read-only work (`review`)
 * starts unless the repository's config allows pushing (`forks.push`).
 */
import type { PlanCommand, RunCommand } from "../../commands/parse-command.js";
import { resolveRunTarget, type RunTarget } from "../../commands/parse-args.js";
import type { RepoConfig } from "../../config/repo-config.js";
import { listPullRequestFiles } from "../../github/publish-review.js";
import { isObject, type JsonValue } from "../../runtime/types.js";
import { DuplicateRunError, type RunRecord } from "../../store/index.js";
import { findRunWorkflow, githubWorkflowFiles, type WorkflowSource } from "../../workflows/index.js";
import type { CommandInput } from "./command-input.js";
import { ModelNotConfiguredError } from "../errors.js";
import { queueNewRun } from "./queue-new-run.js";
import { resolveBase, type RunBase } from "./resolve-base.js";
import { buildRunSettings, toSettingsJson } from "../run-record/run-settings.js";
import { toPlanJson } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** Records the run, shows it as planning, and queues the planning step; `baseRead` is the base commit when the caller already asked for it. */
export async function startRun(
  input: CommandInput,
  runtime: AppRuntime,
  command: RunCommand | PlanCommand,
  config: RepoConfig,
  baseRead: Promise<RunBase> = resolveBase(input.github, input),
): Promise<void> {
  // Asked for before it is needed: a return before then must not leave its failure unhandled (it would end the process).
  baseRead.catch(() => undefined);
  // One comment starts at most one run, even when GitHub delivers it twice under different ids.
  if ((await runtime.store.runs.findByCommandComment(input.comment.id)) !== undefined) return;
  if (runtime.createModel === null) {
    await input.reply(`**dynflow did not start:** ${new ModelNotConfiguredError().message}.`);
    return;
  }

  const base = await baseRead;
  const saved = command.verb === "run" && command.workflowName !== undefined ? await findNamedWorkflow(input, base, command.workflowName, command.rawArgs) : null;
  const target = command.verb === "run" ? resolveRunTarget(command, () => saved !== null) : { type: "task" as const, task: command.text };
  if (base.fork && !config.forks.push && !(target.type === "workflow" && READ_ONLY_WORKFLOWS.has(target.name))) {
    input.log.info({ fork: base.fork.fullName, verb: command.verb }, "run refused on a fork's pull request");
    await input.reply(renderForkRefusal(base.fork.fullName));
    return;
  }
  const run = await recordRun(input, runtime, command, config, base, target, saved);
  if (run === null) return;
  input.log.info({ runId: run.id, kind: run.kind, base: base.sha }, "run requested");
  await queueNewRun(run, runtime, input.log);
}

/**
 * The saved workflow called `name`, else the bundled one; null when neither
 * exists, and the text is then a task. A bundled name followed by plain text
 * is a task too, so `/dynflow run migrate all callers of fetchJson` still goes
 * to the planner: bundled workflows take JSON args (`/dynflow run audit {"problem": "..."}`).
 */
async function findNamedWorkflow(input: CommandInput, base: RunBase, name: string, rawArgs: string | undefined): Promise<WorkflowSource | null> {
  // Saved workflows steer agents: never read from a fork's commits.
  const found = await findRunWorkflow(githubWorkflowFiles(input.github, { owner: input.owner, repo: input.repo, ref: base.trustedRef }), name);
  return found?.bundled && !isJsonOrNothing(rawArgs) ? null : found;
}

function isJsonOrNothing(raw: string | undefined): boolean {
  const text = raw?.trim() ?? "";
  if (text === "") return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The new run's record; null when a concurrent delivery of the same comment recorded it first. */
async function recordRun(
  input: CommandInput,
  runtime: AppRuntime,
  command: RunCommand | PlanCommand,
  config: RepoConfig,
  base: RunBase,
  target: RunTarget,
  saved: WorkflowSource | null,
): Promise<RunRecord | null> {
  const details = command.details ? `\n\n${command.details}` : "";
  const workflow =
    target.type === "workflow" && saved !== null
      ? { name: target.name, args: await reviewArgs(input, target.name, target.args ?? null), source: saved.source, path: saved.filename }
      : null;
  try {
    return await runtime.store.runs.create({
      id: runtime.newRunId(),
      installationId: input.installationId,
      owner: input.owner,
      repo: input.repo,
      kind: workflow ? "workflow" : "task",
      status: "queued",
      issueNumber: input.issueNumber,
      commandCommentId: input.comment.id,
      requester: input.sender,
      task: workflow ? null : `${target.type === "task" ? target.task : command.text}${details}`,
      workflow: workflow?.name ?? null,
      args: workflow?.args ?? null,
      script: workflow?.source ?? null,
      baseRef: base.ref,
      baseSha: base.sha,
      plan: toPlanJson({
        stopAfterPlan: command.verb === "plan",
        commandUrl: input.comment.url,
        ...(workflow ? { filename: workflow.path } : {}),
        ...(input.isPullRequest ? { pullRequest: input.issueNumber } : {}),
        ...(base.fork ? { fork: base.fork.fullName } : {}),
        definitionsRef: base.trustedRef,
      }),
      limits: toSettingsJson(buildRunSettings(config, runtime.caps)),
    });
  } catch (error) {
    if (error instanceof DuplicateRunError) return null;
    throw error;
  }
}

/**
 * `review` on a pull request reviews the files the pull request changes: the
 * app lists them (the script cannot), unless the args name files already. A
 * plain-string argument is kept as the review's focus.
 */
async function reviewArgs(input: CommandInput, name: string, args: JsonValue): Promise<JsonValue> {
  if (name !== "review" || !input.isPullRequest) return args;
  const given = isObject(args) ? args : typeof args === "string" ? { focus: args } : {};
  if (Array.isArray(given.files)) return given;
  const files = await listPullRequestFiles(input.github, { owner: input.owner, repo: input.repo, pullNumber: input.issueNumber });
  return { ...given, files };
}

/** Workflows that only read: they may run on a fork's pull request without `forks.push`. */
const READ_ONLY_WORKFLOWS = new Set(["review"]);

function renderForkRefusal(fork: string): string {
  return (
    `**dynflow did not start:** this pull request comes from a fork (\`${fork}\`), and work that pushes code does not run for forks ` +
    `unless the repository allows it. Read-only work runs: \`/dynflow run review\` reviews the pull request, and \`/dynflow audit\` ` +
    `runs a configured audit. A maintainer can allow pushing runs with \`forks: { push: true }\` in \`.github/dynflow.yml\` ` +
    `(see dynflow's docs/security.md).`
  );
}

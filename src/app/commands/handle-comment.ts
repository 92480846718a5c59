/**
 * What happens when someone comments on an issue or pull request: read the
 * command, acknowledge it, check who asked, check the repository's config,
 * and hand the verb to its story. Returns quickly: runs are queued, never
 * awaited here.
 */
import { parseCommand, type Command, type InvalidCommand } from "../../commands/parse-command.js";
import { renderUsage } from "../../commands/usage.js";
import { REPO_CONFIG_PATH, renderConfigErrors } from "../../config/render-config-errors.js";
import { checkPermission, isBot, renderPermissionRefusal, requiresWriteAccess } from "../../github/check-permission.js";
import { reactToComment } from "../../github/reactions.js";
import { approveRun } from "./approve.js";
import { claimDelivery } from "./claim-delivery.js";
import { cancelRun } from "./cancel.js";
import { checkPayload } from "../webhook-payload.js";
import { toCommandInput, type CommandInput, type CommentContext } from "./command-input.js";
import { describeFailure } from "../finish/describe-failure.js";
import { resumeRun } from "./resume.js";
import { startAudit } from "./start-audit.js";
import { resolveBase } from "./resolve-base.js";
import { startRun } from "./start-run.js";
import { replyStatus } from "./status.js";
import { loadRepoConfigOf } from "../services/load-repo-config-of.js";
import type { AppRuntime } from "../services/types.js";

export type { CommentContext } from "./command-input.js";

/** What the handler needs besides the webhook. */
export interface HandleCommentDeps {
  /** The App's slug, so `@<slug> ...` is a command too; undefined when unknown. */
  appSlug?: string | undefined;
  /** Everything runs need. Without it only `help` and malformed commands are answered. */
  runs?: AppRuntime;
}

/** Handles one new comment. Returns once the reply is posted or the run is queued; never waits for a run. */
export async function handleComment(context: CommentContext, deps: HandleCommentDeps): Promise<void> {
  checkPayload(context, "issue_comment.created");
  const { comment, sender } = context.payload;
  // Never obey bots, our own comments included: two apps must not drive each other.
  if (isBot(sender)) return;
  const command = parseCommand(comment.body, { appSlug: deps.appSlug });
  if (command.kind === "none") return;
  const runtime = deps.runs;
  if (runtime === undefined) return handleCommand(context, command, deps, runtime);
  // A redelivered webhook (same X-GitHub-Delivery id) must not act twice, and one whose handling
  // never finished (a process killed, a handler that threw) must act: the delivery is done only
  // once the command's run or reply exists.
  const delivery = await claimDelivery({ store: runtime.store, processId: runtime.processId, deliveryId: context.id, name: context.name, log: context.log, clock: runtime.clock, ...(runtime.timers ? { timers: runtime.timers } : {}) });
  if (delivery === null) {
    context.log.info({ delivery: context.id }, "delivery seen before; ignored");
    return;
  }
  try {
    await handleCommand(context, command, deps, runtime);
  } catch (error) {
    await delivery.giveBack();
    throw error;
  }
  await delivery.done();
}

/** Acknowledges the command, checks who asked, and hands the verb to its story. */
async function handleCommand(context: CommentContext, command: Command | InvalidCommand, deps: HandleCommentDeps, runtime: AppRuntime | undefined): Promise<void> {
  const input = toCommandInput(context);
  if (command.kind === "invalid") return input.reply(`${command.message}\n\n${command.usage}`);
  if (command.verb === "help") return input.reply(renderUsage({ appSlug: deps.appSlug }));

  // A verb that queues a run is acknowledged by the queued step (plan/acknowledge-run.ts): the webhook is answered
  // once the run is recorded and queued, without waiting for GitHub's write limit.
  if (!QUEUES_A_RUN.has(command.verb)) {
    await reactToComment({ octokit: input.github, owner: input.owner, repo: input.repo, commentId: input.comment.id, moment: "received", log: input.log });
  }
  if (requiresWriteAccess(command.verb)) {
    const permission = await checkPermission(input.github, { owner: input.owner, repo: input.repo, username: input.sender });
    if (!permission.allowed) {
      input.log.info({ user: input.sender, permission: permission.permission, verb: command.verb }, "command refused");
      return input.reply(renderPermissionRefusal(input.sender));
    }
  }
  if (runtime === undefined) return input.reply("This dynflow deployment is not set up to run workflows (it has no run store); only `/dynflow help` works.");

  try {
    await dispatch(input, runtime, command);
  } catch (error) {
    // One reply the user can act on; the details go to the log.
    const failure = describeFailure(error);
    input.log.error({ err: error, code: failure.code, verb: command.verb }, "command failed");
    // Without that reply the command would end with nothing: fail, so the delivery can be taken again.
    await input.reply(`**dynflow could not ${command.verb}:** ${failure.message}`).catch(() => {
      throw error;
    });
  }
}

/** Verbs whose 👀 comes from the run's planning step. */
const QUEUES_A_RUN = new Set<Command["verb"]>(["run", "plan", "audit"]);

async function dispatch(input: CommandInput, runtime: AppRuntime, command: Command): Promise<void> {
  // Reading and stopping work whatever state the config is in.
  if (command.verb === "status") return replyStatus(input, runtime, command);
  if (command.verb === "cancel") return cancelRun(input, runtime, command);
  if (command.verb === "help") return;

  // A run or a plan needs its base commit as well as the config: both are read at once, one round trip instead of two.
  const base = command.verb === "run" || command.verb === "plan" ? resolveBase(input.github, input) : undefined;
  base?.catch(() => {});
  // Everything that starts work needs a valid config, checked as it is now.
  const loaded = await loadRepoConfigOf(input.github, input.owner, input.repo, { prices: runtime.prices });
  if (!loaded.ok) return input.reply(renderConfigErrors(loaded.errors));
  if (!loaded.config.enabled) return input.reply(`dynflow is turned off for this repository (\`enabled: false\` in \`${REPO_CONFIG_PATH}\`).`);
  switch (command.verb) {
    case "run":
    case "plan":
      return startRun(input, runtime, command, loaded.config, base);
    case "approve":
      return approveRun(input, runtime, command);
    case "resume":
      return resumeRun(input, runtime, command, loaded.config);
    case "audit":
      return startAudit(input, runtime, command, loaded.config);
  }
}

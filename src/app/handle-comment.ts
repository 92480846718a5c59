/**
 * What happens when someone comments on an issue or pull request: read the
 * command, and answer. This version answers `help` and malformed commands;
 * the other verbs are wired in by the run stories.
 */
import type { Context } from "probot";
import { parseCommand } from "../commands/parse-command.js";
import { renderUsage } from "../commands/usage.js";
import { isBot } from "../github/check-permission.js";

/** The webhook context of a new comment. */
export type CommentContext = Context<"issue_comment.created">;

/** What the handler needs besides the webhook. */
export interface HandleCommentDeps {
  /** The App's slug, so `@<slug> ...` is a command too; undefined when unknown. */
  appSlug?: string | undefined;
}

/** Handles one new comment. Returns once the reply is posted; never waits for a run. */
export async function handleComment(context: CommentContext, deps: HandleCommentDeps): Promise<void> {
  const { comment, sender } = context.payload;
  // Never obey bots, our own comments included: two apps must not drive each other.
  if (isBot(sender)) return;
  const command = parseCommand(comment.body, { appSlug: deps.appSlug });
  if (command.kind === "none") return;
  if (command.kind === "invalid") {
    await context.octokit.rest.issues.createComment(context.issue({ body: `${command.message}\n\n${command.usage}` }));
    return;
  }
  if (command.verb === "help") {
    await context.octokit.rest.issues.createComment(context.issue({ body: renderUsage({ appSlug: deps.appSlug }) }));
  }
}

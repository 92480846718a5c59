/**
 * Turns whatever stopped a run outside its script into the one message the
 * user reads in the status comment: what failed, and what to do about it.
 * One place for every mapping. Pure; branches on error classes and codes,
 * never on message text. Errors dynflow does not know are not echoed (their
 * text could hold anything); the log has them.
 */
import { ModelWithoutPriceError } from "../../agent-setup/index.js";
import { ModelApiError, ModelCallAbortedError, UnknownModelPriceError } from "../../agents/model/index.js";
import { DynflowError } from "../../errors.js";
import { InstallationTokenError } from "../../github/errors.js";
import { httpStatusOf, isSecondaryRateLimit, SECONDARY_LIMIT_RETRIES } from "../../github/github-client.js";
import { PlanFailedError } from "../../plan/errors.js";
import { codeSpan, escapeInline, fenceFor, showDisplayControls, truncate } from "../../report/escape-markdown.js";
import { SetupFailedError } from "../../command-sandbox/index.js";
import { GitCommandError, PushRejectedError } from "../../workspace/index.js";

/** A failure as the user sees it; `code` goes with it into the run record. */
export interface FailureMessage {
  code: string;
  /** Markdown; the errors' own texts in it are escaped. */
  message: string;
}

/**
 * The message for `error`. With the run it stopped, the advice is to resume
 * that run; without one (the command failed before a run existed), to comment
 * the command again.
 */
export function describeFailure(error: unknown, run: { runId?: string } = {}): FailureMessage {
  const resume = run.runId === undefined ? "comment the command again" : `comment \`/dynflow resume ${run.runId}\``;
  if (error instanceof ModelApiError) {
    // The model client's message already says what failed and whether waiting helps.
    const later = error.retryable ? ` To resume, ${resume} (finished agents are not paid for twice).` : "";
    return { code: error.code, message: `${quoted(capitalize(error.message))}.${later}` };
  }
  if (error instanceof ModelCallAbortedError) {
    return { code: error.code, message: `The run was stopped while it waited for the model. To continue, ${resume}.` };
  }
  if (error instanceof UnknownModelPriceError || error instanceof ModelWithoutPriceError || error instanceof PlanFailedError) {
    return { code: error.code, message: `${quoted(capitalize(error.message))}.` };
  }
  if (error instanceof InstallationTokenError) {
    return {
      code: error.code,
      message: `dynflow could not get access to the repository (${quoted(error.message)}). Check that the app is still installed on this repository, then ${resume}.`,
    };
  }
  if (error instanceof PushRejectedError) {
    return {
      code: error.code,
      message:
        `GitHub refused to take the run's branches: ${quoted(error.message)}. ` +
        `A branch protection rule on \`dynflow/*\` can cause this. After fixing it, ${resume}.`,
    };
  }
  if (error instanceof GitCommandError) {
    return { code: error.code, message: `A git command failed: ${quoted(error.message)}. If it was a network problem, ${resume}.` };
  }
  if (error instanceof SetupFailedError) {
    const output = truncateStart(showDisplayControls(error.output.trimEnd()), 3000);
    const fence = fenceFor(output);
    return {
      code: error.code,
      message:
        `The setup command ${codeSpan(error.command)} failed (exit code ${error.exitCode}) before any agent started; its output ends:\n\n` +
        `${fence}\n${output}\n${fence}\n\nFix \`setup:\` in \`.github/dynflow.yml\` (or what it runs), then ${resume}.`,
    };
  }
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const request = (error as { request?: { method?: string; url?: string } }).request;
    const what = request?.method && request.url ? ` to \`${request.method} ${pathOf(request.url)}\`` : "";
    if (isSecondaryRateLimit(error)) {
      return {
        code: "github_rate_limited",
        message:
          `GitHub's secondary rate limit refused a request${what} (too many writes in a short time), and it still did after ` +
          `${SECONDARY_LIMIT_RETRIES} retries that waited as GitHub asked. Nothing is wrong with the app's permissions; ${resume} in a few minutes.`,
      };
    }
    const advice =
      status >= 500 || status === 429
        ? `GitHub seems to be having trouble; ${resume} in a while.`
        : status === 403 || status === 404
          ? `The app may lack a permission it needs (see the deployment guide), or the repository changed; ${resume} once fixed.`
          : `${capitalize(resume)} to try again.`;
    return { code: "github_error", message: `GitHub answered ${status}${what} even after retries. ${advice}` };
  }
  if (error instanceof DynflowError) return { code: error.code, message: `${quoted(capitalize(error.message))}.` };
  return {
    code: "internal_error",
    message: `dynflow hit an unexpected error (${error instanceof Error ? error.name : typeof error}); the app's log has the details. To try again, ${resume}.`,
  };
}

/** The end of `text` within `max` characters. */
function truncateStart(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

/** The path of a request URL (never its query, which could carry anything). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? "";
  }
}

/** An error's own text, escaped and bounded: it can quote git output or file names. */
function quoted(text: string): string {
  return escapeInline(truncate(text, 600));
}

function capitalize(text: string): string {
  const trimmed = text.replace(/[.\s]+$/, "");
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/**
 * The one status comment a run keeps editing in place. Created on the first
 * update, or found again by its hidden marker after a crash (or known by the
 * id the run's record keeps), then edited at most once per interval; the
 * final body is always written.
 */
import { bindRunId } from "../logging/bind-run-id.js";
import type { Logger } from "pino";
import { fitLength } from "../progress/fit-text.js";
import { isStatusCommentOf, statusMarker } from "../progress/status-marker.js";
import { createEditThrottle } from "../progress/throttle-edits.js";
import type { Timers, Clock } from "../time.js";
import { GITHUB_BODY_LIMIT } from "../report/render-report.js";
import { httpStatusOf, requestFailure, type GitHubClient } from "./github-client.js";

export interface StatusCommentOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The issue or pull request the command was written on. */
  issueNumber: number;
  runId: string;
  /**
   * The comment's id when the run's record has it: edited without listing the
   * issue's comments first (written again should it have been deleted).
   */
  commentId?: number;
  /**
   * Login of the app's bot (e.g. `dynflow[bot]`). When set, only its comments
   * are taken as the status comment to recover; otherwise any bot account's.
   * A person's comment is never taken, whatever marker it carries.
   */
  botLogin?: string;
  /** Least time between two edits. A function is asked at each wait (a pace that changes). Default 5,000 ms. */
  minIntervalMs?: number | (() => number);
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
}

/** The comment written, with the URL to link to. */
export interface StatusCommentRef {
  id: number;
  /** Absent when the comment was known by its id (`commentId`) and has not been written again since. */
  url?: string;
}

export interface StatusComment {
  /** Offers a new body; throttled, the latest wins. Failures are logged and retried by the next write. */
  update(body: string): void;
  /** Forgets a body still waiting for its interval (an edit in flight goes on). */
  dropPending(): void;
  /** Writes the final body now (after any edit in flight) and stops further updates. Rejects when it fails. */
  flush(finalBody: string): Promise<StatusCommentRef>;
  /** The comment, once created or found. */
  readonly current: StatusCommentRef | null;
}

interface CommentData {
  id: number;
  html_url: string;
  body?: string | null;
  user: { login: string; type: string } | null;
}

/** Creates the status comment handle; nothing is written until the first `update` or `flush`. */
export function createStatusComment(options: StatusCommentOptions): StatusComment {
  const { octokit, owner, repo, issueNumber, runId } = options;
  // Every line names the run once, whether or not the given logger is already the run's.
  const log = options.log ? bindRunId(options.log, runId) : undefined;
  const marker = statusMarker(runId);
  let current: StatusCommentRef | null = options.commentId !== undefined ? { id: options.commentId } : null;
  let searched = current !== null;

  const ours = (comment: CommentData) =>
    isStatusCommentOf(comment.body, runId) &&
    comment.user !== null &&
    comment.user.type === "Bot" &&
    (options.botLogin === undefined || comment.user.login === options.botLogin);

  /** The comment left by an earlier attempt of this run, if any. Looked for once. */
  const findExisting = async (): Promise<StatusCommentRef | null> => {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
    for await (const page of pages) {
      const found = (page.data as CommentData[]).find(ours);
      if (found !== undefined) return { id: found.id, url: found.html_url };
    }
    return null;
  };

  const create = async (body: string): Promise<void> => {
    let data: { id: number; html_url: string };
    try {
      // Not retried blindly: GitHub may have created the comment before it failed to answer.
      ({ data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body, request: { retries: 0 } }));
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === undefined || status < 500) throw error;
      const found = await findExisting();
      if (found !== null) {
        log?.warn({ commentId: found.id, status }, "GitHub failed to answer, but the status comment was created; using it");
        current = found;
        return;
      }
      ({ data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }));
    }
    current = { id: data.id, url: data.html_url };
    log?.info({ commentId: data.id }, "status comment created");
  };

  const write = async (raw: string): Promise<void> => {
    const body = fitLength(raw.startsWith(marker) ? raw : `${marker}\n${raw}`, GITHUB_BODY_LIMIT, "…\n");
    if (current === null && !searched) {
      current = await findExisting();
      searched = true;
      if (current !== null) log?.info({ commentId: current.id }, "status comment found again");
    }
    if (current === null) return create(body);
    try {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: current.id, body });
    } catch (error) {
      // Someone deleted the comment: write a new one rather than lose the status.
      if (httpStatusOf(error) !== 404) throw error;
      log?.warn({ commentId: current.id }, "status comment was deleted; creating it again");
      current = null;
      await create(body);
    }
  };

  const throttle = createEditThrottle<string>({
    write,
    minIntervalMs: options.minIntervalMs,
    clock: options.clock,
    timers: options.timers,
    onError: (error) => log?.warn({ ...requestFailure(error) }, "status comment update failed"),
  });

  return {
    update: (body) => throttle.update(body),
    dropPending: () => throttle.dropPending(),
    async flush(finalBody) {
      await throttle.flush(finalBody);
      return current!;
    },
    get current() {
      return current;
    },
  };
}

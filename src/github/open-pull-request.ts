/**
 * Opens the run's one consolidated pull request, or updates it: re-running the
 * same run finds the open pull request from its branch and brings its title,
 * body and draft state up to date instead of opening another.
 */
import type { Logger } from "pino";
import { fitLength } from "../progress/fit-text.js";
import { plainTitle, safeLogin, safeUrl } from "../report/escape-markdown.js";
import { GITHUB_BODY_LIMIT } from "../report/render-report.js";
import { PullRequestBodyTooLongError } from "./errors.js";
import { httpStatusOf, type GitHubClient } from "./github-client.js";

export interface PublishPullRequestOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Branch the pull request merges into (the run's base branch). */
  base: string;
  /** The run's result branch in the same repository, `dynflow/<run-id>`. */
  head: string;
  title: string;
  /** The convergence report (`renderReport`), at most 65,536 characters. */
  body: string;
  draft: boolean;
  /** Login of who started the run; named at the end of the body if the report does not already (and there is room). */
  requester?: string;
  /** The command comment; linked at the end of the body if the report does not already (and there is room). */
  commentUrl?: string;
  /**
   * Ends the body with a section of its own, after the attribution, within the
   * body limit (the CI wait's, which later edits replace in place).
   */
  withSection?: (body: string) => string;
  /**
   * Whether an earlier attempt may have opened the pull request (the run's
   * record names one): it is looked for first. Default true. When false it is
   * created at once, and looked for only if GitHub answers that it exists
   * (422), as when an attempt opened it and stopped before recording it.
   */
  mayExist?: boolean;
  /** Labels of the changes merged into `head` (the reconciliation's `merged`). None: no pull request. */
  merged: readonly string[];
  log?: Logger;
}

export interface PublishedPullRequest {
  number: number;
  url: string;
  nodeId: string;
  draft: boolean;
  /** False when an open pull request from `head` existed and was updated. */
  created: boolean;
}

interface PullData {
  number: number;
  html_url: string;
  node_id: string;
  draft?: boolean;
}

const TITLE_MAX = 256;

const TO_DRAFT = `mutation($id: ID!) { convertPullRequestToDraft(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`;
const TO_READY = `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`;

/**
 * Creates or updates the pull request from `head` into `base`. Resolves null,
 * touching nothing, when nothing was merged (there is nothing to review; the
 * caller says so in the status comment). Throws `PullRequestBodyTooLongError`
 * when the body is over GitHub's limit.
 */
export async function publishPullRequest(options: PublishPullRequestOptions): Promise<PublishedPullRequest | null> {
  const { octokit, owner, repo, base, head, draft, log } = options;
  if (options.merged.length === 0) {
    log?.info({ head }, "nothing was merged; no pull request");
    return null;
  }
  if (options.body.length > GITHUB_BODY_LIMIT) throw new PullRequestBodyTooLongError(options.body.length, GITHUB_BODY_LIMIT);
  const attributed = withAttribution(options.body, options.requester, options.commentUrl);
  // A report cut to the limit has no room left; it still deserves its pull request.
  const fitted = attributed.length <= GITHUB_BODY_LIMIT ? attributed : options.body;
  const body = options.withSection ? options.withSection(fitted) : fitted;
  // Titles render links too: no mention, cross-reference or bidi control from a task or a script's name.
  const title = fitLength(plainTitle(options.title.replace(/\s+/g, " ").trim()), TITLE_MAX);

  const existing = options.mayExist === false ? null : await findOpen(options);
  if (existing !== null) return update(options, existing, { title, body });

  try {
    const { data } = await octokit.rest.pulls.create({ owner, repo, base, head, title, body, draft });
    log?.info({ pullRequest: data.number, draft }, "pull request opened");
    return { number: data.number, url: data.html_url, nodeId: data.node_id, draft: data.draft ?? draft, created: true };
  } catch (error) {
    // Another attempt of this run opened it in the meantime: update that one.
    if (httpStatusOf(error) !== 422) throw error;
    const raced = await findOpen(options);
    if (raced === null) throw error;
    return update(options, raced, { title, body });
  }
}

async function findOpen(options: PublishPullRequestOptions): Promise<PullData | null> {
  const { octokit, owner, repo, head } = options;
  const { data } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: "open", per_page: 10 });
  return data[0] ?? null;
}

async function update(
  options: PublishPullRequestOptions,
  pull: PullData,
  content: { title: string; body: string },
): Promise<PublishedPullRequest> {
  const { octokit, owner, repo, base, draft, log } = options;
  await octokit.rest.pulls.update({ owner, repo, pull_number: pull.number, base, ...content });
  // REST cannot change the draft state of an existing pull request; GraphQL can.
  if ((pull.draft ?? false) !== draft) {
    await octokit.graphql(draft ? TO_DRAFT : TO_READY, { id: pull.node_id });
  }
  log?.info({ pullRequest: pull.number, draft }, "pull request updated");
  return { number: pull.number, url: pull.html_url, nodeId: pull.node_id, draft, created: false };
}

/** Appends "Requested by @login · [Command](url)" for whatever of the two the body does not mention yet. */
function withAttribution(body: string, requester: string | undefined, commentUrl: string | undefined): string {
  const login = safeLogin(requester);
  const url = safeUrl(commentUrl);
  const parts: string[] = [];
  if (login !== null && !mentions(body, login)) parts.push(`Requested by @${login}`);
  if (url !== null && !body.includes(url)) parts.push(`[Command](${url})`);
  if (parts.length === 0) return body;
  return `${body.trimEnd()}\n\n${parts.join(" · ")}\n`;
}

/** Whether `body` mentions `@login` (and not merely a longer login that starts the same). */
function mentions(body: string, login: string): boolean {
  const escaped = login.replace(/[[\]]/g, "\\$&");
  return new RegExp(`@${escaped}(?![A-Za-z0-9-])`, "i").test(body);
}

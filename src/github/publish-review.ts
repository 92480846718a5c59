/**
 * Posts a run's ranked findings as ONE review on a pull request, and updates
 * that same review when the run is resumed or run again: the review is found
 * by a hidden marker naming the run.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "./github-client.js";

export interface PublishReviewOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pullNumber: number;
  runId: string;
  /** The review's markdown (model-written findings, already escaped by the workflow's renderer). */
  body: string;
  log?: Logger;
}

export interface PublishedReview {
  id: number;
  url: string;
  created: boolean;
}

/** GitHub's limit on a review body. */
const REVIEW_BODY_LIMIT = 65_536;

function marker(runId: string): string {
  return `<!-- dynflow:review run=${runId} -->`;
}

/** Creates the run's review (a plain comment review: it neither approves nor requests changes), or updates it. */
export async function publishReview(options: PublishReviewOptions): Promise<PublishedReview> {
  const { octokit, owner, repo, pullNumber, runId } = options;
  const tag = marker(runId);
  const room = REVIEW_BODY_LIMIT - tag.length - 2;
  const text = options.body.length > room ? `${options.body.slice(0, room - 2)}…` : options.body;
  const body = `${tag}\n${text}`;
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pullNumber, per_page: 100 });
  const existing = reviews.find((review) => typeof review.body === "string" && review.body.startsWith(tag));
  if (existing) {
    const { data } = await octokit.rest.pulls.updateReview({ owner, repo, pull_number: pullNumber, review_id: existing.id, body });
    options.log?.info({ review: data.id }, "review updated");
    return { id: data.id, url: data.html_url, created: false };
  }
  const { data } = await octokit.rest.pulls.createReview({ owner, repo, pull_number: pullNumber, event: "COMMENT", body });
  options.log?.info({ review: data.id }, "review posted");
  return { id: data.id, url: data.html_url, created: true };
}

/** The files a pull request changes, for a review run's `args.files`. */
export async function listPullRequestFiles(octokit: GitHubClient, options: { owner: string; repo: string; pullNumber: number }): Promise<string[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: options.owner, repo: options.repo, pull_number: options.pullNumber, per_page: 100 });
  return files.filter((file) => file.status !== "removed").map((file) => file.filename);
}

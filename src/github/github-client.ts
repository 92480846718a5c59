/**
 * The GitHub client dynflow talks through: the part of Probot's Octokit it
 * uses (the REST and GraphQL APIs and the config plugin), so a Probot
 * `context.octokit` and an installation client from `app.auth(id)` fit
 * as they are. The host comes from the client (its `baseUrl`), never from
 * here, so GitHub Enterprise Server works unchanged.
 */
import type { Octokit } from "@octokit/rest";
import type { ProbotOctokit } from "probot";
import { messageOf } from "../errors.js";

/** An Octokit as Probot builds it: with its plugins (config, retry, throttling, pagination). */
export type ProbotClient = InstanceType<typeof ProbotOctokit>;

export type GitHubClient = Pick<Octokit, "rest" | "graphql" | "request" | "paginate" | "auth"> & Pick<ProbotClient, "config">;

/**
 * The one place Probot's Octokit becomes dynflow's client. Only types change:
 * Probot's client has everything `GitHubClient` names.
 */
export function toGitHubClient(octokit: ProbotClient): GitHubClient {
  return octokit;
}

/** The HTTP status of an Octokit request error, or undefined for any other error. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** Retries of one request after GitHub's secondary rate limit (`app-octokit.ts`). */
export const SECONDARY_LIMIT_RETRIES = 3;

/** GitHub refused the request for its secondary rate limit (403 or 429 saying so, or with `retry-after`). */
export function isSecondaryRateLimit(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== 403 && status !== 429) return false;
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  return /secondary rate limit/i.test(messageOf(error)) || headers?.["retry-after"] !== undefined;
}

/**
 * What to log about a failed GitHub call: status and message only. (The error
 * object also holds the request, whose headers are not worth the risk.)
 */
export function requestFailure(error: unknown): { status: number | undefined; message: string } {
  return { status: httpStatusOf(error), message: messageOf(error) };
}

/**
 * The GitHub client dynflow talks through: the part of Octokit it uses, so a
 * Probot `context.octokit`, an installation Octokit from `app.auth(id)` and a
 * plain `@octokit/rest` client all fit. The host comes from the client (its
 * `baseUrl`), never from here, so GitHub Enterprise Server works unchanged.
 */
import type { Octokit } from "@octokit/rest";

export type GitHubClient = Pick<Octokit, "rest" | "graphql" | "request" | "paginate" | "auth">;

/** The HTTP status of an Octokit request error, or undefined for any other error. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/**
 * What to log about a failed GitHub call: status and message only. (The error
 * object also holds the request, whose headers are not worth the risk.)
 */
export function requestFailure(error: unknown): { status: number | undefined; message: string } {
  return { status: httpStatusOf(error), message: error instanceof Error ? error.message : String(error) };
}

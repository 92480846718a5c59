/**
 * The installation token git clones and pushes with. It comes from the app's
 * own authentication (`octokit.auth({ type: "installation" })`, cached and
 * renewed by Octokit) and is wrapped so that logging, serialising or
 * printing the credentials never shows it.
 */
import { inspect } from "node:util";
import { systemClock, type Clock } from "../time.js";
import { InstallationTokenError } from "./errors.js";
import { httpStatusOf, type GitHubClient } from "./github-client.js";
import { messageOf } from "../errors.js";

/** Credentials for git over HTTPS. Read `token` only to hand it to git (`syncClone`, `pushBranches`). */
export class GitCredentials {
  readonly #token: string;
  /** ISO time the token expires, or null when unknown (a token that does not expire). */
  readonly expiresAt: string | null;

  constructor(token: string, expiresAt: string | null) {
    this.#token = token;
    this.expiresAt = expiresAt;
  }

  /** The token itself. */
  get token(): string {
    return this.#token;
  }

  toJSON(): { token: string; expiresAt: string | null } {
    return { token: "[redacted]", expiresAt: this.expiresAt };
  }

  toString(): string {
    return "[GitCredentials]";
  }

  [inspect.custom](): string {
    return `GitCredentials { token: [redacted], expiresAt: ${this.expiresAt ?? "null"} }`;
  }
}

export interface GetInstallationTokenOptions {
  /** Limits the token to these repositories of the installation (names, no owner). Default: all it may access. */
  repositoryNames?: string[];
  /** Limits the token's permissions, e.g. `{ contents: "write" }` to clone and push. Default: the app's. */
  permissions?: Record<string, "read" | "write">;
  /** A cached token that expires sooner than this is replaced by a fresh one. Default 15 minutes. */
  minValidityMs?: number;
  clock?: Clock;
}

interface AuthResult {
  token?: unknown;
  expiresAt?: unknown;
}

/**
 * Gets an installation token from an installation's Octokit (Probot's
 * `context.octokit`, or `app.auth(installationId)`). Throws
 * `InstallationTokenError` when the client cannot produce one.
 */
export async function getInstallationToken(
  octokit: Pick<GitHubClient, "auth">,
  options: GetInstallationTokenOptions = {},
): Promise<GitCredentials> {
  const clock = options.clock ?? systemClock;
  const minValidityMs = options.minValidityMs ?? 15 * 60_000;
  const request = {
    type: "installation",
    ...(options.repositoryNames !== undefined ? { repositoryNames: options.repositoryNames } : {}),
    ...(options.permissions !== undefined ? { permissions: options.permissions } : {}),
  };

  let credentials = await authenticate(octokit, request);
  // Octokit hands out a cached token until shortly before it expires; a clone
  // and push can take longer than what is left of it.
  if (credentials.expiresAt !== null && Date.parse(credentials.expiresAt) - clock.now() < minValidityMs) {
    credentials = await authenticate(octokit, { ...request, refresh: true });
  }
  return credentials;
}

async function authenticate(octokit: Pick<GitHubClient, "auth">, request: Record<string, unknown>): Promise<GitCredentials> {
  let result: AuthResult;
  try {
    result = (await octokit.auth(request)) as AuthResult;
  } catch (error) {
    const status = httpStatusOf(error);
    const message = messageOf(error);
    // Status and message only, no cause: the error's request carries the app's JWT (redacted by Octokit, but why risk it).
    throw new InstallationTokenError(status !== undefined ? `GitHub answered ${status}: ${message}` : message, status);
  }
  if (typeof result?.token !== "string" || result.token === "") {
    throw new InstallationTokenError("the client is not authenticated as an app installation", undefined);
  }
  return new GitCredentials(result.token, typeof result.expiresAt === "string" ? result.expiresAt : null);
}

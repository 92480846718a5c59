/**
 * What GitHub says a signed-in user may do: read or write a run's
 * repository, asked with the user's own token (the App's user-to-server
 * token, so only repositories the App is installed on answer), cached briefly
 * so a page of runs costs at most one call per repository and minute.
 */
import { createHash } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { systemClock, type Clock } from "../../time.js";

export type RepoAccess = "none" | "read" | "write";

export interface AccessChecker {
  /** The login of the token's user. */
  user(token: string): Promise<string>;
  access(token: string, owner: string, repo: string): Promise<RepoAccess>;
}

export interface AccessCheckerOptions {
  /** REST API root (`https://api.github.com` or `<GHE>/api/v3`). */
  apiUrl: string;
  /** How long an answer is reused. Default 60,000 ms. */
  ttlMs?: number;
  clock?: Clock;
  /** Most answers kept. Default 10,000. */
  maxEntries?: number;
}

/** Creates the checker; see the module comment. */
export function createAccessChecker(options: AccessCheckerOptions): AccessChecker {
  const ttlMs = options.ttlMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { access: RepoAccess; until: number }>();
  const client = (token: string) => new Octokit({ auth: token, baseUrl: options.apiUrl, request: { retries: 0 } });

  return {
    async user(token) {
      const { data } = await client(token).rest.users.getAuthenticated();
      return data.login;
    },
    async access(token, owner, repo) {
      // Keyed by a hash of the token: the cache never holds tokens themselves.
      const key = `${createHash("sha256").update(token).digest("base64url")}\n${owner}/${repo}`.toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.access;
      let access: RepoAccess;
      try {
        const { data } = await client(token).rest.repos.get({ owner, repo });
        const p = data.permissions;
        access = p?.push || p?.maintain || p?.admin ? "write" : p?.pull ? "read" : "none";
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status !== 404 && status !== 403 && status !== 401) throw error;
        access = "none";
      }
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { access, until: now() + ttlMs });
      return access;
    },
  };
}

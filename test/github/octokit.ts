/**
 * GitHub clients for tests: Probot's Octokit (what the app really uses) with
 * retries and throttling off, pointed at a host nock intercepts.
 */
import nock from "nock";
import pino, { type Logger } from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach } from "vitest";
import type { GitHubClient } from "../../src/github/github-client.js";

export const API = "https://api.github.com";
/** A GitHub Enterprise Server API root: everything must work against it too. */
export const GHE_API = "https://ghe.acme.test/api/v3";

const TestOctokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });

/** An installation-token client for `baseUrl`. */
export function testOctokit(baseUrl = API): GitHubClient {
  return new TestOctokit({ auth: { token: "ghs_testtoken000000000000000000000000" }, baseUrl });
}

/** nock with the network closed (localhost allowed) around every test of the file. */
export function useNock(): void {
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/(localhost|127\.0\.0\.1)/);
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}

/**
 * A client plus `settle()`, which resolves once no request is in flight and
 * none has started for a few event-loop turns. Under fake timers this lets
 * mocked HTTP exchanges (and whatever they trigger at once) finish, without
 * moving fake time.
 */
export function trackedOctokit(baseUrl = API): { octokit: GitHubClient; settle(): Promise<void> } {
  const octokit = new TestOctokit({ auth: { token: "ghs_testtoken000000000000000000000000" }, baseUrl });
  let inFlight = 0;
  octokit.hook.wrap("request", async (request, options) => {
    inFlight++;
    try {
      return await request(options);
    } finally {
      inFlight--;
    }
  });
  const settle = async () => {
    let quiet = 0;
    for (let turn = 0; quiet < 5; turn++) {
      if (turn > 100_000) throw new Error("requests did not settle");
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = inFlight === 0 ? quiet + 1 : 0;
    }
  };
  return { octokit, settle };
}

/** A pino logger whose lines (parsed) land in `entries`. */
export function captureLog(): { log: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, entries };
}

import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStatusComment } from "../../src/github/status-comment.js";
import { statusMarker } from "../../src/progress/status-marker.js";
import { API, captureLog, GHE_API, trackedOctokit, useNock } from "./octokit.js";

useNock();

const MARKER = statusMarker("r-7f3a");
const COMMENTS = "/repos/acme/storefront/issues/7/comments";
const bot = { login: "dynflow[bot]", type: "Bot" };
const person = { login: "mallory", type: "User" };

let settle: () => Promise<void>;
let logged: Record<string, unknown>[];
const warnings = () => logged.filter((entry) => entry.level === 40);

function statusComment(baseUrl = API, extra: { botLogin?: string } = {}) {
  const client = trackedOctokit(baseUrl);
  const capture = captureLog();
  settle = client.settle;
  logged = capture.entries;
  return createStatusComment({ octokit: client.octokit, owner: "acme", repo: "storefront", issueNumber: 7, runId: "r-7f3a", log: capture.log, ...extra });
}

/** Moves fake time on, then lets the HTTP exchanges that started finish. */
async function advance(ms: number): Promise<void> {
  await settle();
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

describe("createStatusComment", () => {
  beforeEach(() => {
    // Only the timers the throttle uses are fake; HTTP exchanges still run (see `advance`).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 1_750_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("creates the comment once, then coalesces updates within 5 s into one edit with the latest body", async () => {
    const scope = nock(API)
      .get(COMMENTS)
      .query({ per_page: "100" })
      .reply(200, [])
      .post(COMMENTS, { body: `${MARKER}\nbody 1` })
      .reply(201, { id: 501, html_url: "https://github.com/acme/storefront/issues/7#issuecomment-501" })
      .patch("/repos/acme/storefront/issues/comments/501", { body: `${MARKER}\nbody 10` })
      .reply(200, { id: 501 });

    const comment = statusComment();
    for (let i = 1; i <= 10; i++) {
      comment.update(`${MARKER}\nbody ${i}`);
      await advance(400);
    }
    // 4 s in: only the create has happened.
    expect(scope.pendingMocks()).toEqual([`PATCH ${API}:443/repos/acme/storefront/issues/comments/501`]);
    await advance(1100);
    expect(scope.isDone()).toBe(true);
    expect(warnings()).toEqual([]);
    expect(comment.current).toEqual({ id: 501, url: "https://github.com/acme/storefront/issues/7#issuecomment-501" });
  });

  it("always writes the final body on flush, even right after an edit", async () => {
    const scope = nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS, { body: `${MARKER}\nstarting` })
      .reply(201, { id: 501, html_url: "https://github.com/acme/storefront/issues/7#issuecomment-501" })
      .patch("/repos/acme/storefront/issues/comments/501", { body: `${MARKER}\nfinished` })
      .reply(200, { id: 501 });

    const comment = statusComment();
    comment.update(`${MARKER}\nstarting`);
    await advance(100);
    comment.update(`${MARKER}\nrunning (superseded)`);
    const ref = await comment.flush(`${MARKER}\nfinished`);
    comment.update(`${MARKER}\ntoo late`);
    await advance(10_000);

    expect(ref.id).toBe(501);
    expect(scope.isDone()).toBe(true);
    expect(warnings()).toEqual([]);
  });

  it("adds the marker when the body lacks it", async () => {
    const scope = nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS, { body: `${MARKER}\nplain` })
      .reply(201, { id: 9, html_url: "https://github.com/acme/storefront/issues/7#issuecomment-9" });
    await statusComment().flush("plain");
    expect(scope.isDone()).toBe(true);
  });

  it("finds its comment again after a crash, across pages, and edits it instead of creating another", async () => {
    const page2 = `${API}${COMMENTS}?per_page=100&page=2`;
    const scope = nock(API)
      .get(COMMENTS)
      .query({ per_page: "100" })
      .reply(
        200,
        [
          { id: 1, html_url: "u1", body: "/dynflow run migrate", user: person },
          // A person pasting the marker must not hijack the status.
          { id: 2, html_url: "u2", body: `${MARKER}\nfake`, user: person },
          { id: 3, html_url: "u3", body: `${statusMarker("r-other")}\nother run`, user: bot },
        ],
        { link: `<${page2}>; rel="next"` },
      )
      .get(COMMENTS)
      .query({ per_page: "100", page: "2" })
      .reply(200, [{ id: 4, html_url: "https://github.com/acme/storefront/issues/7#issuecomment-4", body: `${MARKER}\nold`, user: bot }])
      .patch("/repos/acme/storefront/issues/comments/4", { body: `${MARKER}\nresumed` })
      .reply(200, { id: 4 });

    const ref = await statusComment().flush(`${MARKER}\nresumed`);
    expect(ref).toEqual({ id: 4, url: "https://github.com/acme/storefront/issues/7#issuecomment-4" });
    expect(scope.isDone()).toBe(true);
  });

  it("ignores another app's comment with the marker when the bot login is known", async () => {
    const scope = nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [{ id: 2, html_url: "u2", body: `${MARKER}\nimpostor`, user: { login: "other-app[bot]", type: "Bot" } }])
      .post(COMMENTS)
      .reply(201, { id: 10, html_url: "u10" });
    await statusComment(API, { botLogin: "dynflow[bot]" }).flush("final");
    expect(scope.isDone()).toBe(true);
  });

  it("creates the comment again when someone deleted it", async () => {
    const scope = nock(GHE_API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS)
      .reply(201, { id: 501, html_url: "u501" })
      .patch("/repos/acme/storefront/issues/comments/501")
      .reply(404, { message: "Not Found" })
      .post(COMMENTS, { body: `${MARKER}\nfinal` })
      .reply(201, { id: 502, html_url: "u502" });

    const comment = statusComment(GHE_API);
    comment.update("first");
    await advance(0);
    const ref = await comment.flush("final");
    expect(ref).toEqual({ id: 502, url: "u502" });
    expect(scope.isDone()).toBe(true);
    expect(warnings().map((entry) => entry.msg)).toEqual(["status comment was deleted; creating it again"]);
  });

  it("retries after a failed intermediate write, and rejects a failed final write", async () => {
    const scope = nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(500, { message: "boom" })
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS, { body: `${MARKER}\nsecond` })
      .reply(201, { id: 7, html_url: "u7" })
      .patch("/repos/acme/storefront/issues/comments/7")
      .reply(403, { message: "Resource not accessible by integration" });

    const comment = statusComment();
    comment.update("first");
    await advance(0);
    comment.update("second");
    await advance(5000);
    expect(comment.current?.id).toBe(7);
    expect(warnings()).toMatchObject([{ msg: "status comment update failed", status: 500 }]);
    await expect(comment.flush("final")).rejects.toMatchObject({ status: 403 });
    expect(scope.isDone()).toBe(true);
  });
});

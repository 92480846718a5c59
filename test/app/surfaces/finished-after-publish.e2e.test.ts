/**
 * Finished means the pull request is there: with every progress edit
 * written (no throttling), the status comment must not say "finished" until
 * the run's branches are pushed and its pull request opened.
 */
import { afterEach, describe, expect, it } from "vitest";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

describe("the status comment at a run's end", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("says finished only after the pull request was opened, never while branches are still being pushed", { timeout: 90_000 }, async () => {
    app = await startHarness({ services: { progressIntervalMs: 0, publishingNoticeMs: 0 } });
    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });

    const calls = app.github.calls;
    const bodyOf = (body: unknown) => String((body as { body?: unknown } | null)?.body ?? "");
    const statusWrites = calls.map((call, index) => ({ call, index })).filter(({ call }) => /\/issues\/(\d+\/)?comments/.test(call.path) && bodyOf(call.body).includes("dynflow:status"));
    const finished = statusWrites.filter(({ call }) => /✅ dynflow run `r-1` finished/.test(bodyOf(call.body)));
    const opened = calls.findIndex((call) => call.method === "POST" && /\/pulls$/.test(call.path));
    expect(opened).toBeGreaterThan(-1);
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.every(({ index }) => index > opened)).toBe(true);
    // While the branches were pushed and the pull request opened, it said so.
    expect(statusWrites.some(({ call }) => bodyOf(call.body).includes("publishing"))).toBe(true);
  });

  it("writes no progress edit between the script's end and the pull request, which would hold it up in the write throttle", { timeout: 90_000 }, async () => {
    // Every progress edit written at once, as a run whose interval has just passed; "publishing" only after a long while.
    app = await startHarness({ services: { progressIntervalMs: 0, publishingNoticeMs: 600_000 } });
    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });

    const calls = app.github.calls;
    const bodyOf = (body: unknown) => JSON.stringify(body ?? "");
    const opened = calls.findIndex((call) => call.method === "POST" && /\/pulls$/.test(call.path));
    expect(opened).toBeGreaterThan(-1);
    const progressWrites = calls
      .map((call, index) => ({ call, index }))
      .filter(({ call }) => call.method !== "GET" && (/\/issues\/(\d+\/)?comments/.test(call.path) || /\/check-runs/.test(call.path)));
    // Nothing said "publishing": the run ended first, and its final views came after the pull request.
    expect(progressWrites.filter(({ call }) => bodyOf(call.body).includes("publishing"))).toEqual([]);
    const finished = progressWrites.filter(({ call }) => /✅ dynflow run `r-1` finished/.test(bodyOf(call.body)));
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.every(({ index }) => index > opened)).toBe(true);
  });
});

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
    app = await startHarness({ services: { progressIntervalMs: 0 } });
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
});

/**
 * A run that goes from its plan straight to its execution in the same
 * process does not wait for a second sandbox start: its plan step starts the
 * execution's sandbox as soon as it knows the run will start.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spareSandboxStats, stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

describe("the execution's sandbox", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await stopSpareSandboxes();
  });

  it("is started by the plan step and taken by the execution", { timeout: 90_000 }, async () => {
    app = await startHarness();
    const before = spareSandboxStats();
    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
    const after = spareSandboxStats();
    expect(after.started - before.started).toBe(1);
    expect(after.taken - before.taken).toBe(1);
  });
});

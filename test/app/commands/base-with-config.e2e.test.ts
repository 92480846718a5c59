/**
 * A run command reads the repository's config and its base commit at once:
 * on GitHub each read is a round trip, and neither needs the other.
 */
import { afterEach, describe, expect, it } from "vitest";
import { stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

describe("a run command's first reads", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await stopSpareSandboxes();
  });

  it("ask for the base commit before the config has answered", { timeout: 90_000 }, async () => {
    let branchAskedFirst: boolean | undefined;
    // The config's answer waits for the branch to be asked (at most 10 s): a command that reads one after the other never asks.
    const hold = async (method: string, path: string) => {
      if (method !== "GET" || path !== ".github/dynflow.yml" || branchAskedFirst !== undefined || app === undefined) return;
      const asked = () => app!.github.callsTo("GET", /\/branches\/main$/).length > 0;
      const until = Date.now() + 10_000;
      while (!asked() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      branchAskedFirst = asked();
    };
    app = await startHarness({ hold });

    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();

    expect(branchAskedFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
  });
});

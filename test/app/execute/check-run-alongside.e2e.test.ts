/**
 * The execution creates its check run alongside the script rather than
 * before it: on GitHub that write waits its turn in the installation's write
 * limit (a second or more after the status comment), and the first agent does
 * not wait for it. The check run still shows the run from start to end.
 */
import { afterEach, describe, expect, it } from "vitest";
import { stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

describe("the execution's check run", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await stopSpareSandboxes();
  });

  it("is created while the first agent already works", { timeout: 90_000 }, async () => {
    let modelCalledFirst: boolean | undefined;
    // The check run is created only once the model has been called (at most 10 s): an execution that waits for it never calls.
    const hold = async (method: string, path: string) => {
      if (method !== "POST" || !path.endsWith("/check-runs") || modelCalledFirst !== undefined || app === undefined) return;
      const called = () => app!.api.requests.length > 0;
      const until = Date.now() + 10_000;
      while (!called() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      modelCalledFirst = called();
    };
    app = await startHarness({ hold });

    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();

    expect(modelCalledFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
    expect(app.github.checkRuns).toHaveLength(1);
    expect(app.github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });
});

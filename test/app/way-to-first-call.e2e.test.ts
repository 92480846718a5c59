/**
 * What a run does on its way to its first model call, and what it no longer
 * waits for there. Each test holds one answer of the fake GitHub back until
 * what should already be under way has happened (at most 10 s): an app that
 * does the two one after the other never gets there, and the test fails.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { spareSandboxCount, spareSandboxStats, stopSpareSandboxes } from "../../src/runtime/sandbox/start-sandbox.js";
import { cloneDir } from "../../src/workspace/index.js";
import { useNock } from "../github/octokit.js";
import { testGitEnv } from "../workspace/git-fixture.js";
import { startHarness, type AppHarness } from "./app-harness.js";

const exec = promisify(execFile);

/** Whether `condition` came true within 10 s, looked at every 20 ms. */
async function cameTrue(condition: () => boolean | Promise<boolean>): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (!(await condition()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe("a run's way to its first model call", { timeout: 90_000 }, () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await stopSpareSandboxes();
  });

  /** Delivers the saved-workflow command and waits for its run to end. */
  async function runCommand(): Promise<void> {
    await app!.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app!.idle();
  }

  it("reads the config and the base commit at once: the branch is asked for before the config has answered", async () => {
    let branchAskedFirst: boolean | undefined;
    app = await startHarness({
      hold: async (method, path) => {
        if (method !== "GET" || path !== ".github/dynflow.yml" || branchAskedFirst !== undefined || app === undefined) return;
        branchAskedFirst = await cameTrue(() => app!.github.callsTo("GET", /\/branches\/main$/).length > 0);
      },
    });

    await runCommand();

    expect(branchAskedFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
  });

  it("brings the clone up to date while the status comment is written", async () => {
    let clonedFirst: boolean | undefined;
    app = await startHarness({
      hold: async (method, path) => {
        if (method !== "POST" || !/\/issues\/\d+\/comments$/.test(path) || clonedFirst !== undefined || app === undefined) return;
        const base = await app!.git("rev-parse", "main");
        const dir = cloneDir(app!.services.dataDir, `file://${app!.bare}`);
        clonedFirst = await cameTrue(() => exec("git", ["cat-file", "-e", `${base}^{commit}`], { cwd: dir, env: testGitEnv() }).then(() => true, () => false));
      },
    });

    await runCommand();

    expect(clonedFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
  });

  it("starts the estimate's sandbox while the clone is brought up to date, and the execution's in its plan step; each is taken", async () => {
    let startedFirst: boolean | undefined;
    app = await startHarness({
      hold: async (method, path) => {
        // The status comment is written beside the clone's sync, before the plan: the estimate's sandbox is already starting.
        if (method !== "POST" || !/\/issues\/\d+\/comments$/.test(path) || startedFirst !== undefined) return;
        startedFirst = await cameTrue(() => spareSandboxCount() > 0);
      },
    });
    const before = spareSandboxStats();

    await runCommand();

    expect(startedFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
    const after = spareSandboxStats();
    expect(after.started - before.started).toBe(2);
    expect(after.taken - before.taken).toBe(2);
  });

  it("creates the check run while the first agent already works, and the check run still shows the run to its end", async () => {
    let modelCalledFirst: boolean | undefined;
    app = await startHarness({
      hold: async (method, path) => {
        if (method !== "POST" || !path.endsWith("/check-runs") || modelCalledFirst !== undefined || app === undefined) return;
        modelCalledFirst = await cameTrue(() => app!.api.requests.length > 0);
      },
    });

    await runCommand();

    expect(modelCalledFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
    expect(app.github.checkRuns).toHaveLength(1);
    expect(app.github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });
});

/**
 * The plan step brings the run's clone up to date while it writes the run's
 * status comment and acknowledges the command, rather than after: on a
 * repository's first run (a whole clone) those GitHub round trips hide it.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { cloneDir } from "../../../src/workspace/index.js";
import { useNock } from "../../github/octokit.js";
import { testGitEnv } from "../../workspace/git-fixture.js";
import { startHarness, type AppHarness } from "../app-harness.js";

const exec = promisify(execFile);

describe("the plan step's clone", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await stopSpareSandboxes();
  });

  it("is brought up to date while the status comment is written", { timeout: 90_000 }, async () => {
    let clonedFirst: boolean | undefined;
    // The first comment the app asks for (the status comment) is answered only once the clone holds the base commit,
    // or after 10 s: a plan that clones only after its comment never gets there.
    const hold = async (method: string, path: string) => {
      if (method !== "POST" || !/\/issues\/\d+\/comments$/.test(path) || clonedFirst !== undefined || app === undefined) return;
      const base = await app.git("rev-parse", "main");
      const dir = cloneDir(app.services.dataDir, `file://${app.bare}`);
      const holds = () => exec("git", ["cat-file", "-e", `${base}^{commit}`], { cwd: dir, env: testGitEnv() }).then(() => true, () => false);
      const until = Date.now() + 10_000;
      while (!(await holds()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      clonedFirst = await holds();
    };
    app = await startHarness({ hold });

    await app.receive("issue_comment.created.run-saved-workflow", "delivery-1");
    await app.idle();

    expect(clonedFirst).toBe(true);
    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "ok", prNumber: 100 });
  });
});

/**
 * The life of a run after it is requested, end to end: waiting for approval,
 * `/dynflow status`, `/dynflow approve`, `/dynflow cancel` in the middle of a
 * run, a cap that stops it, and `/dynflow resume` after the cap is raised.
 */
import { afterEach, describe, expect, it } from "vitest";
import { migrationModel } from "../cli/migration-model.js";
import { reply } from "../fakes/fake-anthropic.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";

const E2E = { timeout: 90_000 };
const isPlanner = (system: unknown) => JSON.stringify(system ?? "").includes("You are dynflow's planner");

describe("the life of a run (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("shows the plan and its estimate, waits for /dynflow approve, then runs it", E2E, async () => {
    app = await startHarness({ config: "approval: always\n" });
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();

    // Planned and estimated; no agent has run.
    expect((await app.services.store.runs.get("r-1"))?.status).toBe("awaiting-approval");
    expect(app.api.requests.every((request) => isPlanner(request.body.system))).toBe(true);
    expect(app.github.pulls).toEqual([]);
    expect(app.github.checkRuns).toEqual([]);
    const plan = app.github.statusComment("r-1")!.body;
    expect(plan).toContain("dynflow run `r-1` is waiting for approval");
    expect(plan).toContain("**Plan** written by the planner model: the task's 5 relevant files");
    expect(plan).toMatch(/\| Agents \| 6 \(at most 16 at once\) \|/);
    expect(plan).toMatch(/\| Phases \| 2: Survey \(0\), Migrate \(6\) \|/);
    expect(plan).toMatch(/\| Tokens \| [\d.]+k \|/);
    expect(plan).toMatch(/\| Cost \| \$\d+\.\d\d \|/);
    expect(plan).toMatch(/\| Duration \| about \d+m \d\ds \|/);
    expect(plan).toContain("Approval is needed: the repository asks for approval of every run.");
    expect(plan).toContain("Comment `/dynflow approve r-1` to start it");
    expect(plan).toContain("<summary>Plan script (9 lines)</summary>");

    // Anyone may ask where it is.
    await app.receive("issue_comment.created.status", "delivery-2");
    const status = app.github.appComments().at(-1)!.body;
    expect(status).toContain("**dynflow run `r-1`** is waiting for approval");
    expect(status).toContain("**Estimate** 6 agents");
    expect(status).toContain("`/dynflow approve r-1` starts it");

    await app.receive("issue_comment.created.approve", "delivery-3");
    await app.idle();
    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    expect(app.github.pulls).toHaveLength(1);
    expect(app.github.pulls[0]).toMatchObject({ head: "dynflow/r-1", draft: false });
    expect(app.github.statusComment("r-1")!.body).toContain("dynflow run `r-1` finished");
    // One status comment for the run, plus the status reply.
    expect(app.github.appComments()).toHaveLength(2);
    expect(app.github.reactions).toEqual([
      { commentId: 9001, content: "eyes" },
      { commentId: 9009, content: "eyes" },
      { commentId: 9002, content: "eyes" },
      { commentId: 9001, content: "rocket" },
    ]);
  });

  it("stops after the plan for /dynflow plan, whatever the approval policy", E2E, async () => {
    app = await startHarness({ config: "approval: never\n" });
    await app.receive("issue_comment.created.plan", "delivery-1");
    await app.idle();

    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "planned", kind: "task", plan: { stopAfterPlan: true, source: "model-written" } });
    const plan = app.github.statusComment("r-1")!.body;
    expect(plan).toContain("dynflow run `r-1` is planned");
    expect(plan).toContain("This was `/dynflow plan`: nothing runs until someone with write access comments `/dynflow approve r-1`.");
    expect(app.api.requests.every((request) => isPlanner(request.body.system))).toBe(true);
    expect(app.github.checkRuns).toEqual([]);
  });

  it("stops a run on /dynflow cancel, and still pushes and reports what finished in a draft pull request", E2E, async () => {
    app = await startHarness();
    let cancelled: Promise<void> | undefined;
    app.api.handle((request, ctx) => {
      // The search worker's first call: the user cancels, and the model never answers it.
      if (JSON.stringify(request.body.messages[0]).includes("Migrate src/search")) {
        cancelled ??= app!.receive("issue_comment.created.cancel", "delivery-cancel");
        return reply.hang();
      }
      return migrationModel(request, ctx);
    });
    await app.receive("issue_comment.created.run-saved-workflow-all", "delivery-1");
    await app.idle();
    await cancelled;

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("cancelled");
    expect(run?.error?.message).toContain("cancelled by @octocat");
    // The finished module is merged and on the remote, with its worker branch, in one push.
    const pushes = await app.pushes();
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toEqual(["refs/heads/dynflow/r-1", expect.stringMatching(/^refs\/heads\/dynflow\/r-1-work\/src-billing-/)]);
    expect(await app.git("show", "dynflow/r-1:src/billing/index.ts")).toContain("client.get");
    expect(await app.git("show", "dynflow/r-1:src/search/index.ts")).toContain("fetchJson");
    const [pull] = app.github.pulls;
    expect(pull).toMatchObject({ head: "dynflow/r-1", draft: true });
    expect(pull!.body).toContain("**was cancelled**");
    // Reports never mention anyone: the "@" is followed by a zero-width space.
    expect(pull!.body).toContain("cancelled by @&#8203;octocat");
    expect(app.github.statusComment("r-1")!.body).toContain("dynflow run `r-1` was cancelled");
    expect(app.github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(app.github.appComments().map((comment) => comment.body)).toContainEqual(expect.stringContaining("Cancelling run `r-1`"));
  });

  it("opens a draft pull request when a cap stops the run, and /dynflow resume updates the same one after the cap is raised", E2E, async () => {
    app = await startHarness({ config: "caps:\n  maxAgents: 4\n" });
    await app.receive("issue_comment.created.run-saved-workflow-all", "delivery-1");
    await app.idle();

    expect((await app.services.store.runs.get("r-1"))?.status).toBe("capped");
    const [pull] = app.github.pulls;
    expect(pull).toMatchObject({ head: "dynflow/r-1", draft: true });
    expect(pull!.body).toContain("**stopped at a cap**");
    // search's worker had finished: its change is kept, unreviewed, in the draft.
    expect(pull!.body).toContain("### Unreviewed (1)");
    expect(app.github.checkRuns[0]).toMatchObject({ conclusion: "neutral" });
    expect(app.github.statusComment("r-1")!.body).toContain("stopped at a cap");
    const requestsBefore = app.api.requests.length;

    // Raise the cap on the default branch and resume: finished agents come from the journal.
    await app.commitFile(".github/dynflow.yml", "caps:\n  maxAgents: 100\n");
    await app.receive("issue_comment.created.resume", "delivery-2");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    expect(await app.git("show", "dynflow/r-1:src/search/index.ts")).toContain("encodeURIComponent(q)");
    // Same pull request (now ready for review), same check run, same status comment.
    expect(app.github.pulls).toHaveLength(1);
    expect(app.github.pulls[0]).toMatchObject({ number: pull!.number, draft: false });
    expect(app.github.pulls[0]!.body).toContain("| src/search | accepted | 2 | refuted → upheld |");
    expect(app.github.checkRuns).toHaveLength(1);
    expect(app.github.checkRuns[0]).toMatchObject({ conclusion: "success" });
    expect(app.github.appComments().filter((comment) => comment.body.startsWith("<!-- dynflow:status run=r-1 -->"))).toHaveLength(1);
    // The four agents that had finished were not asked again: billing's worker and refuters, search's first worker.
    const resumed = app.api.requests.slice(requestsBefore).map((request) => JSON.stringify(request.body.messages[0]));
    expect(resumed.some((text) => text.includes("Migrate src/billing"))).toBe(false);
    expect(app.github.callsTo("POST", /\/graphql$/)).toHaveLength(1);
  });
});

/**
 * The verbs on runs that exist (`approve`, `cancel`, `resume`, `status`) as
 * use cases: called directly on `fakeAppContext()`, a real store and the
 * fake GitHub, with no webhook and no model. The end-to-end tests drive the
 * same verbs through Probot (`run-lifecycle.e2e.test.ts`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { approveRun } from "../../../src/app/commands/approve.js";
import { cancelRun } from "../../../src/app/commands/cancel.js";
import { resumeRun } from "../../../src/app/commands/resume.js";
import { replyStatus } from "../../../src/app/commands/status.js";
import { UnreadableRunRecordError } from "../../../src/app/errors.js";
import { toPlanJson } from "../../../src/app/run-record/stored-plan.js";
import { parseCommand, type RunIdCommand } from "../../../src/commands/parse-command.js";
import { useNock } from "../../github/octokit.js";
import { fakeAppContext, type FakeAppContext } from "../fake-app-context.js";

const PLANNED = toPlanJson({ stopAfterPlan: false, source: "single-agent", reason: "one file", filename: "plan.js" });

/** The command of a comment, as the parser gives it to the verb. */
function command(body: string): RunIdCommand {
  const parsed = parseCommand(body, {});
  if (parsed.kind !== "command" || !["approve", "cancel", "resume", "status"].includes(parsed.verb)) throw new Error(`not a run-id command: ${body}`);
  return parsed as RunIdCommand;
}

describe("the verbs on a run", () => {
  useNock();
  let app: FakeAppContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe("approve", () => {
    it("queues the execution of a run that waits for approval, once, and says who approved it", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-wait", { status: "awaiting-approval", plan: PLANNED, script: "export const meta = {};" });

      await approveRun(app.input(), app.runtime, command("/dynflow approve r-wait"));
      expect(await app.store.runs.get("r-wait")).toMatchObject({ status: "queued" });
      expect(app.queue.jobs).toEqual([{ runId: "r-wait", step: "execute" }]);
      expect(app.statusComment("r-wait")?.body).toContain("Approved by @octocat; it starts as soon as a slot is free.");

      // A second approval finds it queued: nothing is queued twice.
      await approveRun(app.input(), app.runtime, command("/dynflow approve r-wait"));
      expect(app.queue.jobs).toHaveLength(1);
      expect(app.replies()).toEqual(["Run `r-wait` is queued; only a planned run that waits for approval can be approved."]);
    });

    it("never finds a run of another repository", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-other", { status: "awaiting-approval", repo: "gadgets" });
      await approveRun(app.input(), app.runtime, command("/dynflow approve r-other"));
      expect(app.replies()).toEqual(["There is no dynflow run `r-other` in this repository."]);
      expect(await app.store.runs.get("r-other")).toMatchObject({ status: "awaiting-approval" });
    });
  });

  describe("cancel", () => {
    it("marks a waiting run cancelled, drops its queued step and says so in its status comment", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-queued");
      await app.queue.enqueue({ runId: "r-queued", step: "plan" });

      await cancelRun(app.input(), app.runtime, command("/dynflow cancel"));
      expect(await app.store.runs.get("r-queued")).toMatchObject({ status: "cancelled", error: { code: "run_cancelled", message: "cancelled by @octocat" } });
      expect(app.queue.jobs).toEqual([]);
      expect(app.statusComment("r-queued")?.body).toContain("Cancelled (cancelled by @octocat) before it started; no agent ran for it.");
      expect(app.replies()).toEqual(["Run `r-queued` is cancelled; it will not start."]);
    });

    it("aborts a run executing in this process at once", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-busy", { status: "running" });
      const signal = app.runtime.cancels.register("r-busy");

      await cancelRun(app.input(), app.runtime, command("/dynflow cancel r-busy"));
      expect(signal.aborted).toBe(true);
      expect((signal.reason as Error).message).toBe("cancelled by @octocat");
      expect(app.replies()[0]).toMatch(/^Cancelling run `r-busy`: no new agent starts/);
    });

    it("ends a CI wait even while the step that recorded it is still finishing in this process", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-ci", { status: "ok" });
      await app.store.ciWaits.put({
        runId: "r-ci",
        installationId: 77,
        owner: "acme",
        repo: "widgets",
        branch: "dynflow/r-ci",
        headSha: "a".repeat(40),
        round: 0,
        state: "waiting",
        deadline: Date.now() + 3_600_000,
        prNumber: null,
        prNodeId: null,
        readyWhenGreen: true,
        settings: { wait: true, repairRounds: 2, timeoutMinutes: 60, checks: null, ignore: [] },
        history: [],
      });
      // The execute step has recorded the wait and is publishing its last edits: it is still registered here.
      const signal = app.runtime.cancels.register("r-ci");

      await cancelRun(app.input(), app.runtime, command("/dynflow cancel r-ci"));
      expect((await app.store.ciWaits.get("r-ci"))?.state).toBe("cancelled");
      expect(signal.aborted).toBe(false);
      expect(app.replies()).toEqual(["Run `r-ci` no longer waits for CI; its pull request stays a draft."]);
    });

    it("marks a run executing elsewhere, and leaves a finished one alone", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-far", { status: "running" });
      await app.seedRun("r-done", { status: "ok" });

      await cancelRun(app.input(), app.runtime, command("/dynflow cancel r-far"));
      await cancelRun(app.input(), app.runtime, command("/dynflow cancel r-done"));
      expect(await app.store.runs.get("r-far")).toMatchObject({ status: "cancelled" });
      expect(await app.store.runs.get("r-done")).toMatchObject({ status: "ok" });
      expect(app.replies()).toEqual([
        "Run `r-far` is marked cancelled; the process running it stops it within a minute and reports what finished.",
        "Run `r-done` finished; there is nothing to cancel.",
      ]);
    });
  });

  describe("resume", () => {
    it("queues a stopped run's next step with the repository's current settings", async () => {
      app = await fakeAppContext({ config: "caps:\n  maxAgents: 50\n" });
      await app.seedRun("r-capped", { status: "capped", plan: PLANNED, error: { code: "cap_exceeded", message: "cap" }, limits: { config: { caps: { maxAgents: 4 } } } });
      await app.seedRun("r-unplanned", { status: "error", plan: toPlanJson({ stopAfterPlan: false }) });

      await resumeRun(app.input(), app.runtime, command("/dynflow resume r-capped"), app.config);
      await resumeRun(app.input(), app.runtime, command("/dynflow resume r-unplanned"), app.config);
      expect(app.queue.jobs).toEqual([
        { runId: "r-capped", step: "execute" },
        { runId: "r-unplanned", step: "plan" },
      ]);
      const resumed = await app.store.runs.get("r-capped");
      expect(resumed).toMatchObject({ status: "queued", error: null, limits: { config: { caps: { maxAgents: 50 } } } });
      expect(app.statusComment("r-capped")?.body).toContain("Resumed by @octocat: agents that finished before are replayed from the journal at no cost.");
    });

    it("sends a run whose plan cannot be read to execution, which ends it with that message", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-odd", { status: "error", plan: { source: 12 } });
      await resumeRun(app.input(), app.runtime, command("/dynflow resume r-odd"), app.config);
      expect(app.queue.jobs).toEqual([{ runId: "r-odd", step: "execute" }]);
    });

    it("says why a run cannot be resumed", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-planned", { status: "planned", plan: PLANNED });
      await app.seedRun("r-ok", { status: "ok" });
      await app.seedRun("r-here", { status: "running" });
      app.runtime.cancels.register("r-here");

      for (const id of ["r-planned", "r-ok", "r-here"]) await resumeRun(app.input(), app.runtime, command(`/dynflow resume ${id}`), app.config);
      expect(app.queue.jobs).toEqual([]);
      expect(app.replies()).toEqual([
        "Run `r-planned` has not started yet; comment `/dynflow approve r-planned` to start it.",
        "Run `r-ok` finished; there is nothing to resume.",
        "Run `r-here` is running right now.",
      ]);
    });
  });

  describe("status", () => {
    it("rebuilds the progress from the stored events, in any process", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-going", { status: "running", plan: PLANNED });
      const usage = { input: 1000, output: 100, cacheWrite: 0, cacheRead: 0 };
      await app.store.events.append("r-going", { type: "run.started", runId: "r-going", at: 1, meta: { name: "single-agent", description: "d" } });
      await app.store.events.append("r-going", { type: "agent.queued", agentId: "a1", label: "task", phase: null, role: "worker", at: 2 });
      await app.store.events.append("r-going", { type: "agent.finished", agentId: "a1", at: 3, usage, costUsd: 0.02, change: null });

      await replyStatus(app.input(), app.runtime, command("/dynflow status"));
      const [reply] = app.replies();
      expect(reply).toContain("**dynflow run `r-going`** is running");
      expect(reply).toContain("**Task** migrate the callers");
      expect(reply).toContain("`/dynflow cancel r-going` stops it and keeps what finished.");
    });

    it("fails with a typed error for a result it cannot read", async () => {
      app = await fakeAppContext();
      await app.seedRun("r-odd", { status: "ok", result: { pullRequest: { number: "nine" } } });
      await expect(replyStatus(app.input(), app.runtime, command("/dynflow status r-odd"))).rejects.toBeInstanceOf(UnreadableRunRecordError);
    });
  });
});

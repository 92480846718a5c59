/**
 * The queued steps of a run (planning, execution) as use cases: a job of the
 * run queue given to `createRunJobProcessor` on `fakeAppContext()`, with a
 * real clone of the fake GitHub's repository and a real sandbox for the
 * estimate, but no model. `run-flow.e2e.test.ts` runs them with agents.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRunJobProcessor } from "../../../src/app/steps/process-run-job.js";
import { recoverRuns } from "../../../src/app/steps/recover-runs.js";
import { readStoredPlan, toPlanJson } from "../../../src/app/run-record/stored-plan.js";
import { useNock } from "../../github/octokit.js";
import { fakeAppContext, type FakeAppContext } from "../fake-app-context.js";

const SAVED = `export const meta = { name: "fix-lint", description: "Fix lint", phases: [{ title: "Fix" }] };
phase("Fix");
const fixed = await parallel(["a", "b", "c"].map((part) => () => agent("fix part " + part, { label: part })));
return fixed.length;
`;

describe("the steps of a run", () => {
  useNock();
  let app: FakeAppContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("plans a saved workflow: estimates it against simulated agents and waits for approval when the config asks", { timeout: 30_000 }, async () => {
    app = await fakeAppContext({ config: "approval: always\n", files: { ".claude/workflows/fix-lint.js": SAVED } });
    await app.seedRun("r-plan", { kind: "workflow", workflow: "fix-lint", task: null, script: SAVED, baseSha: app.head, plan: toPlanJson({ stopAfterPlan: false, filename: ".claude/workflows/fix-lint.js" }) });

    expect(await createRunJobProcessor(app.runtime)({ runId: "r-plan", step: "plan" })).toBe("done");
    const run = await app.store.runs.get("r-plan");
    expect(run?.error).toBeNull();
    expect(run?.status).toBe("awaiting-approval");
    const plan = readStoredPlan(run!.plan);
    expect(plan).toMatchObject({ source: "saved-workflow", approval: { required: true }, estimate: { status: "ok", agents: 3, phases: [{ title: "Fix", agents: 3 }] } });
    const comment = app.statusComment("r-plan")?.body ?? "";
    expect(comment).toContain("| Agents | 3 (at most 16 at once) |");
    expect(comment).toContain("Comment `/dynflow approve r-plan` to start it");
    // The step let go of the run: another process may take its next step.
    expect(await app.store.leases.acquire("run:r-plan", "other-process", 60_000)).toBe(true);
  });

  it("ends a task run that cannot be planned without a model key, with that message", async () => {
    app = await fakeAppContext({ model: false });
    await app.seedRun("r-task", { baseSha: app.head, plan: toPlanJson({ stopAfterPlan: false }), commandCommentId: 9001 });

    await createRunJobProcessor(app.runtime)({ runId: "r-task", step: "plan" });
    expect(await app.store.runs.get("r-task")).toMatchObject({ status: "error", error: { code: "model_not_configured" } });
    expect(app.statusComment("r-task")?.body).toContain("no model API key");
    expect(app.github.reactions).toEqual([
      { commentId: 9001, content: "eyes" },
      { commentId: 9001, content: "confused" },
    ]);
  });

  it("ends a run whose stored settings cannot be read, instead of executing it with the defaults", async () => {
    app = await fakeAppContext();
    await app.seedRun("r-odd", { baseSha: app.head, script: SAVED, plan: toPlanJson({ stopAfterPlan: false, source: "saved-workflow" }), limits: { config: { caps: { maxAgents: "many" } } } });

    await createRunJobProcessor(app.runtime)({ runId: "r-odd", step: "execute" });
    const run = await app.store.runs.get("r-odd");
    expect(run).toMatchObject({ status: "error", error: { code: "unreadable_run_record" } });
    expect(run?.error?.message).toContain("limits.config.caps.maxAgents");
    expect(app.statusComment("r-odd")?.body).toContain("resume the run to give it the repository's current settings");
  });

  it("leaves a run whose lease another process holds to that process", async () => {
    app = await fakeAppContext();
    await app.seedRun("r-held");
    await app.store.leases.acquire("run:r-held", "other-process", 60_000);
    expect(await createRunJobProcessor(app.runtime)({ runId: "r-held", step: "plan" })).toBe("held-elsewhere");
    expect(await app.store.runs.get("r-held")).toMatchObject({ status: "queued" });
  });

  it("queues unfinished runs again after a restart, a plan it cannot read to execution", async () => {
    app = await fakeAppContext();
    await app.seedRun("r-new");
    await app.seedRun("r-mid", { status: "running", plan: toPlanJson({ stopAfterPlan: false, source: "single-agent" }) });
    await app.seedRun("r-odd", { status: "running", plan: { stopAfterPlan: "yes" } });
    await app.seedRun("r-done", { status: "ok" });
    expect(await recoverRuns(app.runtime)).toBe(3);
    expect(app.queue.jobs).toEqual([
      { runId: "r-new", step: "plan" },
      { runId: "r-mid", step: "execute" },
      { runId: "r-odd", step: "execute" },
    ]);
  });
});

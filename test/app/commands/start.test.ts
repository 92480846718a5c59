/**
 * The verbs that start work (`run`, `plan`, `audit`) as use cases on
 * `fakeAppContext()`: what they record, what they queue and what they say,
 * with no webhook and no model. `run-flow.e2e.test.ts` and
 * `audit-flow.e2e.test.ts` drive them end to end.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startAudit } from "../../../src/app/commands/start-audit.js";
import { startRun } from "../../../src/app/commands/start-run.js";
import { readStoredPlan } from "../../../src/app/run-record/stored-plan.js";
import { parseCommand, type AuditCommand, type PlanCommand, type RunCommand } from "../../../src/commands/parse-command.js";
import { readBundledWorkflow } from "../../../src/workflows/index.js";
import { useNock } from "../../github/octokit.js";
import { fakeAppContext, type FakeAppContext } from "../fake-app-context.js";

const SAVED = `export const meta = { name: "fix-lint", description: "Fix lint" };\nreturn await agent("fix " + args.rule);\n`;

function command<T extends RunCommand | PlanCommand | AuditCommand>(body: string): T {
  const parsed = parseCommand(body, {});
  if (parsed.kind !== "command") throw new Error(`not a command: ${body}`);
  return parsed as T;
}

describe("the verbs that start work", () => {
  useNock();
  let app: FakeAppContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("records a task at the head of the default branch and queues its planning, without a GitHub write", async () => {
    app = await fakeAppContext({ config: "caps:\n  maxAgents: 40\n" });
    await startRun(app.input(), app.runtime, command("/dynflow run migrate the callers of fetchJson"), app.config);

    const run = await app.store.runs.get("r-1");
    expect(run).toMatchObject({ kind: "task", status: "queued", task: "migrate the callers of fetchJson", baseRef: "main", baseSha: app.head, requester: "octocat", commandCommentId: 9001 });
    expect(readStoredPlan(run!.plan)).toEqual({ stopAfterPlan: false, commandUrl: "https://github.com/acme/widgets/issues/42#issuecomment-9001", definitionsRef: app.head });
    expect(run?.limits).toMatchObject({ config: { caps: { maxAgents: 40 } }, resolved: { limits: { maxAgents: 40 } } });
    expect(app.queue.jobs).toEqual([{ runId: "r-1", step: "plan" }]);
    // The "planning" status comment and the 👀 come from the queued step (plan/acknowledge-run.ts).
    expect(run?.statusCommentId).toBeNull();
    expect(app.statusComment("r-1")).toBeUndefined();
  });

  it("only plans with /dynflow plan, and starts one run per comment", async () => {
    app = await fakeAppContext();
    await startRun(app.input(), app.runtime, command("/dynflow plan migrate the callers"), app.config);
    await startRun(app.input(), app.runtime, command("/dynflow plan migrate the callers"), app.config);
    expect(readStoredPlan((await app.store.runs.get("r-1"))!.plan).stopAfterPlan).toBe(true);
    expect(await app.store.runs.get("r-2")).toBeUndefined();
    expect(app.queue.jobs).toHaveLength(1);
  });

  it("runs a saved workflow by name with its JSON args, as the file is at the base commit", async () => {
    app = await fakeAppContext({ files: { ".claude/workflows/fix-lint.js": SAVED } });
    await startRun(app.input(), app.runtime, command('/dynflow run fix-lint {"rule": "no-unused-vars"}'), app.config);
    expect(await app.store.runs.get("r-1")).toMatchObject({ kind: "workflow", workflow: "fix-lint", args: { rule: "no-unused-vars" }, script: SAVED, task: null });
    expect(readStoredPlan((await app.store.runs.get("r-1"))!.plan).filename).toBe(".claude/workflows/fix-lint.js");
  });

  it("takes a bundled workflow's name followed by plain words as a task for the planner", async () => {
    app = await fakeAppContext();
    await startRun(app.input(), app.runtime, command("/dynflow run migrate all callers of fetchJson"), app.config);
    await startRun(app.input({ comment: { id: 9002, url: "u" } }), app.runtime, command('/dynflow run audit {"problem": "SQL built by hand"}'), app.config);
    expect(await app.store.runs.get("r-1")).toMatchObject({ kind: "task", task: "migrate all callers of fetchJson", script: null });
    expect(await app.store.runs.get("r-2")).toMatchObject({ kind: "workflow", workflow: "audit", script: (await readBundledWorkflow("audit"))?.source });
  });

  it("says the deployment cannot run agents when it has no model key, and records nothing", async () => {
    app = await fakeAppContext({ model: false });
    await startRun(app.input(), app.runtime, command("/dynflow run migrate the callers"), app.config);
    expect(app.replies()[0]).toMatch(/^\*\*dynflow did not start:\*\* this dynflow deployment has no model API key/);
    expect(await app.store.runs.listByStatus(["queued"])).toEqual([]);
    expect(app.queue.jobs).toEqual([]);
  });

  it("leaves no failure unhandled when it stops before it needs the base it was given", async () => {
    app = await fakeAppContext({ model: false });
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      await startRun(app.input(), app.runtime, command("/dynflow run migrate the callers"), app.config, Promise.reject(new Error("GitHub is down")));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(app.replies()[0]).toMatch(/^\*\*dynflow did not start:\*\*/);
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("records an audit on the head of the default branch, with the audit's own budget", async () => {
    app = await fakeAppContext({ config: 'audits:\n  - name: nightly\n    cron: "0 3 * * *"\n    task: URLs built by hand\n    budget: { usd: 5 }\n' });
    await startAudit(app.input({ isPullRequest: true }), app.runtime, command("/dynflow audit nightly"), app.config);
    const run = await app.store.runs.get("r-1");
    expect(run).toMatchObject({ kind: "audit", workflow: "nightly", args: "URLs built by hand", baseRef: "main", baseSha: app.head, limits: { config: { budget: { usd: 5 } } } });
    expect(readStoredPlan(run!.plan)).toMatchObject({ filename: "workflows/audit.js", stopAfterPlan: false });
    expect(app.queue.jobs).toEqual([{ runId: "r-1", step: "plan" }]);
  });

  it("answers an audit name the config does not declare with the ones it does", async () => {
    app = await fakeAppContext({ config: 'audits:\n  - name: nightly\n    cron: "0 3 * * *"\n' });
    await startAudit(app.input(), app.runtime, command("/dynflow audit weekly"), app.config);
    expect(app.replies()).toEqual(["**dynflow did not start:** `.github/dynflow.yml` has no audit `weekly`. Its audits: `nightly`."]);
    expect(app.queue.jobs).toEqual([]);
  });
});

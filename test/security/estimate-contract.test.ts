/**
 * Attack class: a script that stays small under the estimate and fans out
 * for real, skipping approval (1 agent estimated, 401 run: $36 instead of
 * $0.16). A run started without approval because it was small now stops
 * when it outgrows its estimate by `approvalOverrun` (default 2×), says why
 * in its status comment, pushes nothing, keeps what finished, and
 * `/dynflow approve` continues it with finished agents replayed for free.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { reply, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "../app/app-harness.js";
import { runScript } from "../../src/runtime/run-script.js";
import { answeringRunner } from "../fakes/controlled-runner.js";

const E2E = { timeout: 90_000 };

/**
 * Fans out only when its first agent's answer says so: the estimate's
 * simulated answer does not, the real one does.
 */
const FANOUT = `export const meta = { name: "fanout", description: "grows after the estimate" };
const answer = await agent("List the modules to migrate.");
const many = typeof answer === "string" && answer.includes("MANY");
const results = await parallel(Array.from({ length: many ? 10 : 0 }, (_, i) => () => agent("Migrate module " + i, { write: [] })));
return results.length;
`;

function model(request: RecordedRequest) {
  const prompt = JSON.stringify(request.body.messages?.[0] ?? "");
  if (prompt.includes("List the modules")) return reply.toolUse("finish", { summary: "MANY modules", result: "MANY" });
  return reply.toolUse("finish", { summary: "nothing to change", result: "done" });
}

async function comment(app: AppHarness, id: number, body: string): Promise<void> {
  const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.run.json", import.meta.url), "utf8"));
  payload.repository.clone_url = `file://${app.bare}`;
  payload.comment.id = id;
  payload.comment.body = body;
  await app.probot.receive({ id: `delivery-${id}`, name: "issue_comment", payload } as never);
  await app.idle();
}

describe("the estimate is a contract (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("stops a run that outgrows its estimate, asks for approval, and continues without paying twice", E2E, async () => {
    app = await startHarness({ files: { ".claude/workflows/fanout.js": FANOUT } });
    app.api.handle(model);
    await comment(app, 9401, "/dynflow run fanout");

    const paused = await app.services.store.runs.get("r-1");
    expect(paused).toMatchObject({ status: "awaiting-approval", error: { code: "estimate_exceeded" } });
    const estimated = (paused?.plan as { estimate: { agents: number } }).estimate.agents;
    expect(estimated).toBe(1);
    // Two agents at most ran: 2× the estimate of one.
    const modelCalls = () => app!.api.requests.filter((r) => r.status === 200).length;
    expect(modelCalls()).toBeGreaterThanOrEqual(1);
    expect(modelCalls()).toBeLessThanOrEqual(2);
    const status = app.github.statusComment("r-1")?.body ?? "";
    expect(status).toContain("is waiting for approval");
    expect(status).toContain("more than 2× the 1 agent it was estimated at");
    expect(status).toContain("/dynflow approve r-1");
    expect(await app.pushes()).toEqual([]);

    await comment(app, 9402, "/dynflow approve r-1");
    const done = await app.services.store.runs.get("r-1");
    expect(done?.status).toBe("ok");
    // What finished replayed from the journal: eleven agents, eleven model calls in all.
    expect(modelCalls()).toBe(11);
    const listed = app.api.requests.filter((r) => JSON.stringify(r.body.messages?.[0] ?? "").includes("List the modules"));
    expect(listed).toHaveLength(1);
  });
});

describe("the estimate's dollars", () => {
  it("stop a run past approvalOverrun times the estimated cost, keeping what finished", async () => {
    // Each agent costs $0.01 (see answeringRunner); the estimate said $0.02 for plenty of agents.
    const outcome = await runScript({
      runId: "r1",
      source: `export const meta = { name: "t", description: "t" };\nfor (let i = 0; i < 20; i++) await agent("step " + i);`,
      baseRevision: "base",
      runner: answeringRunner(() => "ok"),
      limits: { contract: { factor: 2, estimatedAgents: 100, estimatedUsd: 0.02 } },
    });
    expect(outcome.status).toBe("capped");
    expect(outcome.error).toMatchObject({ code: "estimate_exceeded", message: expect.stringContaining("more than 2× the $0.02") });
    expect(outcome.agents.filter((a) => a.status === "finished")).toHaveLength(5);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "../../src/agents/model/index.js";
import { agentDurationMs, estimatePlan, type EstimatePlanOptions } from "../../src/simulate/estimate-plan.js";
import { createVirtualTime } from "../../src/simulate/virtual-time.js";
import type { Timers } from "../../src/time.js";
import { DEFAULT_RUN_LIMITS } from "../../src/runtime/types.js";
import { DEFAULT_USAGE_MODEL, estimateAgentUsage } from "../../src/simulate/estimate-usage.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { MIGRATION_FILES, migrationScript } from "../cli/migration-model.js";
import { makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

describe("estimatePlan", () => {
  let repo: { dir: string; head: string };
  let repository: GitRepository;
  beforeAll(async () => {
    repo = await makeRepo(MIGRATION_FILES);
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository.close();
    await removeDir(repo.dir);
  });

  const options = (overrides: Partial<EstimatePlanOptions> = {}): EstimatePlanOptions => ({
    source: migrationScript("parallel"),
    filename: "plan.js",
    args: undefined,
    repository,
    baseCommit: repo.head,
    limits: { ...DEFAULT_RUN_LIMITS },
    review: { refutersPerClaim: 2, maxRounds: 3 },
    prices: DEFAULT_PRICES,
    // A generous quiet period: the virtual clock only moves once every agent that can start has started.
    virtualTime: { quietMs: 40 },
    ...overrides,
  });

  // Simulated output depends only on the role: the worker takes 6 turns, a refuter 4.
  const worker = agentDurationMs(estimateAgentUsage("", { role: "worker" }, DEFAULT_USAGE_MODEL));
  const refuter = agentDurationMs(estimateAgentUsage("", { role: "refuter" }, DEFAULT_USAGE_MODEL));

  it("counts the agents of the expected path over the real modules: a worker and its refuters per module", async () => {
    const estimate = await estimatePlan(options());
    expect(estimate).toMatchObject({ status: "ok", error: null, agents: 6, concurrency: 16 });
    expect(estimate.phases).toEqual([
      { title: "Survey", agents: 0 },
      { title: "Migrate", agents: 6 },
    ]);
    expect(estimate.tokens).toBe(estimate.usage.input + estimate.usage.output + estimate.usage.cacheWrite + estimate.usage.cacheRead);
    expect(estimate.costUsd).toBeGreaterThan(0);
    // In parallel: the workers side by side, then every refuter side by side.
    expect(estimate.durationMs).toBe(worker + refuter);
  });

  it("takes longer at a lower concurrency: one agent at a time is the sum of all of them", async () => {
    const estimate = await estimatePlan(options({ limits: { ...DEFAULT_RUN_LIMITS, maxConcurrency: 1 } }));
    expect(estimate.agents).toBe(6);
    expect(estimate.durationMs).toBe(2 * worker + 4 * refuter);
  });

  it("says where a cap would stop the run", async () => {
    const estimate = await estimatePlan(options({ source: migrationScript("sequential"), limits: { ...DEFAULT_RUN_LIMITS, maxAgents: 4 } }));
    expect(estimate.status).toBe("capped");
    expect(estimate.agents).toBe(4);
    expect(estimate.error?.message).toContain("4");
  });

  it("reports a script that fails with its line", async () => {
    const source = `export const meta = { name: "broken", description: "fails" };\nconst modules = await repo.modules();\nthrow new Error("no module is ready");\n`;
    const estimate = await estimatePlan(options({ source }));
    expect(estimate.status).toBe("error");
    expect(estimate.error).toMatchObject({ line: 3 });
    expect(estimate.error?.message).toContain("no module is ready");
  });
});

describe("createVirtualTime", () => {
  /** Timers the test fires by hand. */
  function manualTimers() {
    let pending: { callback: () => void; id: number } | null = null;
    let ids = 0;
    const timers: Timers = {
      setTimeout: (callback) => {
        pending = { callback, id: ++ids };
        return pending.id;
      },
      clearTimeout: (id) => {
        if (pending?.id === id) pending = null;
      },
    };
    const fire = () => {
      const due = pending;
      pending = null;
      due?.callback();
    };
    return { timers, fire, armed: () => pending !== null };
  }

  it("jumps to the earliest wake-up once nobody starts sleeping, waking everyone due then together", async () => {
    const manual = manualTimers();
    const time = createVirtualTime({ timers: manual.timers });
    const woke: string[] = [];
    void time.sleep(60_000).then(() => woke.push(`a@${time.now()}`));
    void time.sleep(60_000).then(() => woke.push(`b@${time.now()}`));
    void time.sleep(90_000).then(() => woke.push(`c@${time.now()}`));
    manual.fire();
    await Promise.resolve();
    expect(woke).toEqual(["a@60000", "b@60000"]);
    // Someone who starts now starts at the virtual present.
    void time.sleep(10_000).then(() => woke.push(`d@${time.now()}`));
    manual.fire();
    await Promise.resolve();
    manual.fire();
    await Promise.resolve();
    expect(woke).toEqual(["a@60000", "b@60000", "d@70000", "c@90000"]);
    expect(manual.armed()).toBe(false);
  });

  it("rejects a sleeper whose signal aborts, and forgets it", async () => {
    const manual = manualTimers();
    const time = createVirtualTime({ timers: manual.timers });
    const controller = new AbortController();
    const sleeping = time.sleep(5_000, controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(sleeping).rejects.toThrow("cancelled");
    manual.fire();
    expect(time.now()).toBe(0);
  });
});

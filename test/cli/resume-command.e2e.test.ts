/**
 * `dynflow resume` end to end: runs kept in the repository's local store are
 * continued with the same script and base, agents that finished before are
 * replayed from the journal (no model call), and a run cancelled from
 * `dynflow ui` or left running by a killed process goes on.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import { uiCommand } from "../../src/cli/ui-command.js";
import { openLocalStore } from "../../src/local-runs/open-local-store.js";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { deferred } from "../queue/agents/queue-fixture.js";
import { MIGRATION_FILES, migrationModel, migrationScript } from "./migration-model.js";

function captureIo(env: Record<string, string | undefined>, cwd: string) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, isTty: false, env };
  return { io, out: () => out, err: () => err };
}

/** Worker requests of a module (its first call) the fake API received. */
function workerCalls(api: FakeAnthropic, module: string): number {
  return api.requests.filter((r) => JSON.stringify(r.body.system).includes("You are a worker agent") && r.body.messages.length === 1 && JSON.stringify(r.body.messages[0]).includes(`Migrate ${module} `)).length;
}

describe("dynflow resume (end to end)", () => {
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  let scripts: string;
  let env: Record<string, string | undefined>;
  /** Set by a test to slow the search worker's first call down. */
  let slowSearch: number;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle(async (request, ctx) => {
      const answer = await migrationModel(request, ctx);
      const text = JSON.stringify(request.body.messages[0]);
      if (answer && slowSearch > 0 && request.body.messages.length === 1 && text.includes("Migrate src/search ") && JSON.stringify(request.body.system).includes("You are a worker agent")) {
        return { ...answer, delayMs: slowSearch } as typeof answer;
      }
      return answer;
    });
    scripts = await tempDir("dynflow-resume-scripts-");
    await writeFile(join(scripts, "sequential.js"), migrationScript("sequential"));
    await writeFile(join(scripts, "parallel.js"), migrationScript("parallel"));
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
  });
  beforeEach(async () => {
    slowSearch = 0;
    repo = await makeRepo(MIGRATION_FILES);
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
  });
  afterEach(async () => {
    await removeDir(repo.dir);
  });

  it("continues a capped run with a higher cap: finished agents come from the journal, the rest run, both modules merge", async () => {
    const first = captureIo(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "sequential.js", "--max-agents", "4"], first.io)).toBe(1);
    const capped = { runId: /^dynflow run (\w+) stopped at a cap\./.exec(first.out())?.[1] ?? "" };
    expect(capped.runId).not.toBe("");
    // The summary says how to go on.
    expect(first.out()).toContain(`dynflow resume ${capped.runId} --repo ${repo.dir}`);
    expect(workerCalls(api, "src/billing")).toBeGreaterThan(0);
    const billingBefore = workerCalls(api, "src/billing");
    const searchBefore = workerCalls(api, "src/search");

    const resumed = captureIo(env, repo.dir);
    const code = await main(["resume", capped.runId, "--max-agents", "20", "--json"], resumed.io);
    expect(resumed.err()).not.toContain("agent failed");
    expect(code).toBe(0);
    const json = JSON.parse(resumed.out()) as RunJson;
    expect(json).toMatchObject({ status: "ok", runId: capped.runId, branch: `dynflow/${capped.runId}` });
    // The billing worker and its refuter were replayed; nothing was asked of the model for them again.
    expect(json.agents.cached).toBeGreaterThanOrEqual(2);
    expect(workerCalls(api, "src/billing")).toBe(billingBefore);
    expect(workerCalls(api, "src/search")).toBeGreaterThan(searchBefore);
    expect(json.workers.map((w) => [w.label, w.status])).toEqual([
      ["src/billing", "accepted"],
      ["src/search", "accepted"],
    ]);
    expect(await git(repo.dir, "show", `${json.branch}:src/search/index.ts`)).toContain("encodeURIComponent(q)");

    // The store knows how it ended, and with the cap given on resume.
    const gitDir = await git(repo.dir, "rev-parse", "--absolute-git-dir");
    const store = await openLocalStore(gitDir);
    try {
      const run = await store.runs.get(capped.runId);
      expect(run).toMatchObject({ status: "ok", error: null, owner: "local", baseSha: repo.head, result: { branch: json.branch, commit: json.commit } });
      expect(run?.limits).toMatchObject({ limits: { maxAgents: 20 } });
    } finally {
      await store.close();
    }

    // Finished: nothing to resume.
    const again = captureIo(env, repo.dir);
    expect(await main(["resume", capped.runId], again.io)).toBe(1);
    expect(again.err()).toContain(`run ${capped.runId} ended successfully; there is nothing to resume`);
  });

  it("stops a run cancelled from dynflow ui, then resumes it, also after a killed process left it running", async () => {
    slowSearch = 4000;
    const gitDir = await git(repo.dir, "rev-parse", "--absolute-git-dir");
    const ready = deferred<string>();
    const stopUi = deferred();
    const ui = uiCommand(["--repo", repo.dir, "--port", "0"], captureIo(env, repo.dir).io, { onReady: ready.resolve, untilStopped: () => stopUi.promise });
    const base = await ready.promise;

    const run = captureIo(env, scripts);
    const running = main(["run", "--repo", repo.dir, "--script", "parallel.js", "--json"], run.io);
    // Wait until the run has journaled a finished agent (the billing worker; the search worker is held back),
    // then cancel it from its page as a person would.
    let runId = "";
    let journaled = 0;
    for (let i = 0; i < 600 && journaled === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const store = await openLocalStore(gitDir);
      runId ||= (await store.runs.listRecent({ statuses: ["running"] }))[0]?.id ?? "";
      if (runId) journaled = (await store.journalEntries(runId)).length;
      await store.close();
    }
    expect(runId).not.toBe("");
    expect(journaled).toBeGreaterThan(0);
    const page = await fetch(`${base}runs/${runId}`).then((r) => r.text());
    const csrf = /name=_csrf value="([^"]+)"/.exec(page)?.[1] ?? "";
    const cancelled = await fetch(`${base}runs/${runId}/cancel`, { method: "POST", body: new URLSearchParams({ _csrf: csrf }), redirect: "manual" });
    expect(cancelled.status).toBe(303);
    expect(await running).toBe(1);
    expect((JSON.parse(run.out()) as RunJson).status).toBe("cancelled");
    stopUi.resolve();
    expect(await ui).toBe(0);

    // As if the process had been killed mid-run: the record still says running, and nobody holds its lease.
    const store = await openLocalStore(gitDir);
    expect((await store.runs.get(runId))?.status).toBe("cancelled");
    await store.runs.update(runId, { status: "running" });
    // While another process holds the run's lease, it is not resumed twice.
    await store.leases.acquire(`local-run:${runId}`, "other-host:1:abcd", 60_000);
    const busy = captureIo(env, repo.dir);
    expect(await main(["resume", runId], busy.io)).toBe(1);
    expect(busy.err()).toContain(`run ${runId} is being executed by another dynflow process`);
    await store.leases.release(`local-run:${runId}`, "other-host:1:abcd");
    await store.close();

    slowSearch = 0;
    const resumed = captureIo(env, repo.dir);
    expect(await main(["resume", runId, "--json"], resumed.io)).toBe(0);
    const json = JSON.parse(resumed.out()) as RunJson;
    expect(json.status).toBe("ok");
    expect(json.agents.cached).toBeGreaterThanOrEqual(1);
    expect(json.workers.map((w) => w.status)).toEqual(["accepted", "accepted"]);
  });

  it("says which runs exist when the id is unknown, and checks the id", async () => {
    const unknown = captureIo(env, repo.dir);
    expect(await main(["resume", "nope1234"], unknown.io)).toBe(1);
    expect(unknown.err()).toContain("there is no run nope1234 in this repository's local store");
    expect(unknown.err()).toContain("dynflow show");
    const bad = captureIo(env, repo.dir);
    expect(await main(["resume", "../x"], bad.io)).toBe(2);
    expect(bad.err()).toContain('"../x" is not a run id');
    const none = captureIo(env, repo.dir);
    expect(await main(["resume"], none.io)).toBe(2);
  });
});

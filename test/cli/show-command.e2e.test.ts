/**
 * `dynflow show` and `dynflow ui` on a real local run: the runs, one run as a
 * timeline, one agent's transcript with its refuters' evidence, as text and
 * as the local dashboard's pages.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import { uiCommand } from "../../src/cli/ui-command.js";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { deferred } from "../queue/agents/queue-fixture.js";
import { makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { MIGRATION_FILES, migrationModel, migrationScript, REFUTATION } from "./migration-model.js";

function captureIo(env: Record<string, string | undefined>, cwd: string) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, isTty: false, env };
  return { io, out: () => out, err: () => err };
}

describe("dynflow show and dynflow ui (end to end)", () => {
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  let scripts: string;
  let env: Record<string, string | undefined>;
  let run: RunJson;

  async function show(...argv: string[]) {
    const cli = captureIo(env, repo.dir);
    const code = await main(["show", ...argv], cli.io);
    return { code, out: cli.out(), err: cli.err() };
  }

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle(migrationModel);
    scripts = await tempDir("dynflow-show-scripts-");
    await writeFile(join(scripts, "parallel.js"), migrationScript("parallel"));
    repo = await makeRepo(MIGRATION_FILES);
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key-0123456789", ANTHROPIC_BASE_URL: api.url };
    // Before any run, a read creates nothing and says so.
    const empty = await show();
    expect(empty).toMatchObject({ code: 0 });
    expect(empty.out).toContain("No local runs");
    const cli = captureIo(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--json"], cli.io)).toBe(0);
    run = JSON.parse(cli.out()) as RunJson;
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
    await removeDir(repo.dir);
  });

  it("lists the repository's runs", async () => {
    const { code, out } = await show("--repo", repo.dir);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^${run.runId} +ok +9 agents +\\$0\\.\\d{4}`));
  });

  it("shows a run's agents as a timeline by phase, with verdicts, its branch and report", async () => {
    const { code, out } = await show(run.runId);
    expect(code).toBe(0);
    expect(out).toContain(`Run ${run.runId}: ok`);
    expect(out).toContain(`Branch      ${run.branch}`);
    expect(out).toContain(`Report      ${run.report}`);
    expect(out).toContain("Agents      9 (9 finished)");
    const lines = out.split("\n");
    const row = (label: string) => lines.find((line) => new RegExp(`^ {4}a\\d+ +\\w+ +${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +\\|`).test(line)) ?? "";
    expect(row("src/billing")).toMatch(/worker .*\|[ ░█]{30}\| finished/);
    expect(row("src/search · refuter 1")).toContain("finished: refuted");
    expect(row("src/search · round 2 · refuter 1")).toContain("finished: upheld");
    expect(lines.indexOf("  Migrate")).toBeGreaterThan(0);
  });

  it("prints one agent's transcript by label: prompt, tool calls with inputs, result, diff, and the refuters' evidence", async () => {
    const { code, out } = await show(run.runId, "--agent", "src/search");
    expect(code).toBe(0);
    expect(out).toContain("Agent a2 of run");
    expect(out).toContain("Migrate src/search from fetchJson to client.get");
    expect(out).toContain("→ write_file");
    expect(out).toContain('"path": "src/search/index.ts"');
    expect(out).toContain("Ended: finished");
    expect(out).toContain('+export const search = (q: string) => client.get("/search?q=" + q);');
    expect(out).toContain("Refuters of this change");
    expect(out).toContain(`src/search · refuter 1: refuted\n    ${REFUTATION}`);
    // The shared system prompt is referenced, printed only with --full; the API key is never in a transcript.
    expect(out).toContain("worker system prompt (shared): ");
    expect(out).not.toContain("You are a worker agent");
    const full = await show(run.runId, "--agent", "a2", "--full");
    expect(full.out).toContain("You are a worker agent");
    expect(full.out).not.toContain("sk-test-key-0123456789");
  });

  it("asks which agent when a label matches several, and says when none does", async () => {
    const several = await show(run.runId, "--agent", "refuter");
    expect(several.code).toBe(1);
    expect(several.err).toContain('"refuter" matches 6 agents');
    expect(several.err).toMatch(/\n {2}a\d+ src\/billing · refuter 1\n/);
    const none = await show(run.runId, "--agent", "src/nothing");
    expect(none.code).toBe(1);
    expect(none.err).toContain(`run ${run.runId} has no agent "src/nothing"`);
    const unknown = await show("abcd0000");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("there is no run abcd0000");
    expect((await show("--agent", "a1")).code).toBe(2);
  });

  it("serves the same run on the local dashboard without signing in", async () => {
    const ready = deferred<string>();
    const stop = deferred();
    const ui = uiCommand(["--repo", repo.dir, "--port", "0"], captureIo(env, repo.dir).io, { onReady: ready.resolve, untilStopped: () => stop.promise });
    const base = await ready.promise;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/$/);
    try {
      const runs = await fetch(base).then((r) => r.text());
      expect(runs).toContain(`href="/dashboard/runs/${run.runId}"`);
      const page = await fetch(`${base}runs/${run.runId}`).then((r) => r.text());
      expect(page).toContain("src/search · round 2");
      expect(page).toContain("Convergence report");
      const agent = await fetch(`${base}runs/${run.runId}/agents/a2`).then((r) => r.text());
      expect(agent).toContain("Refuters of this change");
      expect(agent).toContain("without encodeURIComponent");
      // The bare address leads to the dashboard.
      expect((await fetch(base.replace("/dashboard/", "/"), { redirect: "manual" })).headers.get("location")).toBe("/dashboard/");
    } finally {
      stop.resolve();
      expect(await ui).toBe(0);
    }
  });

  it("says when the port is taken", async () => {
    const ready = deferred<string>();
    const stop = deferred();
    const first = uiCommand(["--repo", repo.dir, "--port", "0"], captureIo(env, repo.dir).io, { onReady: ready.resolve, untilStopped: () => stop.promise });
    const port = new URL(await ready.promise).port;
    const second = captureIo(env, repo.dir);
    expect(await main(["ui", "--repo", repo.dir, "--port", port], second.io)).toBe(1);
    expect(second.err()).toContain(`port ${port} is in use; pick another with --port`);
    stop.resolve();
    await first;
  });
});

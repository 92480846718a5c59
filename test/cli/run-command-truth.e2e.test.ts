/**
 * `dynflow run` tells what happened: exit codes and `--json` follow the
 * outcome (failed workers, script errors, a failed plan), the script's
 * return value and errors are shown, Ctrl-C stops the run but keeps and
 * reports finished work, and `.github/dynflow.yml` is read with flags winning.
 * Real temp repositories, the real SDK against the local fake Messages API.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import type { FailedRunJson, RunJson } from "../../src/cli/to-run-json.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeHandler } from "../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { MIGRATION_FILES, migrationModel, migrationScript } from "./migration-model.js";

interface Cli {
  io: CliIo;
  out: () => string;
  err: () => string;
  interrupt: () => void;
  exits: number[];
}

function cliWith(env: Record<string, string | undefined>, cwd: string, onErr: (text: string, cli: Cli) => void = () => {}): Cli {
  let out = "";
  let err = "";
  let listener: (() => void) | null = null;
  const cli: Cli = {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => {
        err += t;
        onErr(t, cli);
      },
      cwd,
      isTty: false,
      env,
      onInterrupt: (next) => {
        listener = next;
        return () => void (listener = null);
      },
      exit: (code) => void cli.exits.push(code),
    },
    out: () => out,
    err: () => err,
    interrupt: () => listener?.(),
    exits: [],
  };
  return cli;
}

describe("dynflow run tells what happened", () => {
  let api: FakeAnthropic;
  let handler: FakeHandler;
  let repo: { dir: string; head: string };
  let scripts: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle((request, ctx) => handler(request, ctx));
    scripts = await tempDir("dynflow-truth-scripts-");
    await writeFile(join(scripts, "parallel.js"), migrationScript("parallel"));
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
  });
  beforeEach(async () => {
    handler = migrationModel;
    repo = await makeRepo(MIGRATION_FILES);
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
  });
  afterEach(async () => {
    await removeDir(repo.dir);
  });

  it("exits 1 when every worker failed, though the script itself ended ok", async () => {
    handler = (request, ctx) => (JSON.stringify(request.body.system).includes("You are a worker agent") ? reply.error(400) : migrationModel(request, ctx));
    const cli = cliWith(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--json"], cli.io);
    const json = JSON.parse(cli.out()) as RunJson;
    expect(json.workers.map((worker) => worker.status)).toEqual(["failed", "failed"]);
    expect(code).toBe(1);
  });

  it("prints the script's error with its line, and its return value", async () => {
    await writeFile(
      join(scripts, "throws.js"),
      'export const meta = { name: "throws", description: "d" }\nconst n = 2\nif (args.fail) throw new Error("no targets found")\nreturn { findings: ["a", "b"], n }\n',
    );
    const failing = cliWith(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "throws.js", "--args", '{"fail":true}'], failing.io)).toBe(1);
    expect(failing.out()).toMatch(/Error: {3}.*no targets found \(script line 3\)/);

    const json = cliWith(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "throws.js", "--args", '{"fail":true}', "--json"], json.io)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ status: "error", error: { line: 3, message: expect.stringContaining("no targets found") }, result: null });

    const ok = cliWith(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "throws.js", "--args", "{}"], ok.io)).toBe(0);
    expect(ok.out()).toContain('Result:\n{\n  "findings": [\n    "a",\n    "b"\n  ],\n  "n": 2\n}');
  });

  it("runs a bundled workflow by name and shows its result", async () => {
    const cli = cliWith(env, scripts);
    const args = JSON.stringify({ task: "Migrate src/billing from fetchJson to client.get", targets: [{ name: "src/billing", write: ["src/billing/**"] }] });
    expect(await main(["run", "--repo", repo.dir, "--workflow", "migrate", "--args", args], cli.io)).toBe(0);
    expect(cli.out()).toContain('"summary": {\n    "accepted": 1');
  });

  it("prints exactly one JSON object when planning fails, naming the CLI's commands in its advice", async () => {
    // Large enough that one agent cannot hold it: the planner model is asked, and answers with no script.
    const big = await makeRepo({ ...MIGRATION_FILES, "src/legacy.ts": "export const a = fetchJson('/legacy');\n".repeat(12_000) });
    handler = () => reply.text("I would rather not write a script.");
    try {
      const cli = cliWith(env, scripts);
      const code = await main(["run", "--repo", big.dir, "--task", "migrate every fetchJson caller to client.get", "--json"], cli.io);
      expect(code).toBe(1);
      expect(cli.out().trim().split("\n")).toHaveLength(1);
      const json = JSON.parse(cli.out()) as FailedRunJson;
      expect(json).toMatchObject({ status: "error", branch: null, report: null, workers: [], error: { code: "plan_failed" } });
      expect(json.error?.message).toContain("dynflow run --repo <path> --script <file.js>");
      expect(json.error?.message).not.toContain("/dynflow run");
      expect(json.costUsd).toBeGreaterThan(0);
      expect(cli.err()).toContain("failed: the planner wrote no valid plan script");
    } finally {
      await removeDir(big.dir);
    }
  }, 60_000);

  it("prints one JSON object when git refuses the base", async () => {
    const cli = cliWith(env, scripts);
    expect(await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--base", "no-such-rev", "--json"], cli.io)).toBe(1);
    expect(JSON.parse(cli.out())).toMatchObject({ status: "error", error: { message: expect.stringContaining("no-such-rev") } });
  });

  it("first Ctrl-C: stops starting agents, cancels running ones, merges finished work and writes the report", async () => {
    // src/search's worker never answers; src/billing finishes and is reviewed.
    handler = (request, ctx) => (JSON.stringify(request.body.messages[0]).includes("Migrate src/search ") && JSON.stringify(request.body.system).includes("worker agent") ? reply.hang() : migrationModel(request, ctx));
    let refuted = 0;
    const cli = cliWith(env, scripts, (text, self) => {
      if (/agent done: src\/billing · refuter/.test(text) && ++refuted === 2) self.interrupt();
    });
    const code = await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--json"], cli.io);
    expect(code).toBe(1);
    const json = JSON.parse(cli.out()) as RunJson;
    expect(json.status).toBe("cancelled");
    expect(json.workers.find((w) => w.label === "src/billing")?.status).toBe("accepted");
    expect(await git(repo.dir, "show", `${json.branch}:src/billing/index.ts`)).toContain("client.get");
    expect(await readFile(json.report, "utf8")).toContain("Ctrl-C");
    expect(cli.err()).toContain("dynflow: stopping (Ctrl-C)");
    expect(cli.exits).toEqual([]);
  }, 60_000);

  it("second Ctrl-C exits at once with 130", async () => {
    handler = (request, ctx) => (JSON.stringify(request.body.system).includes("worker agent") ? reply.hang() : migrationModel(request, ctx));
    let started = 0;
    const cli = cliWith(env, scripts, (text, self) => {
      if (text.startsWith("phase: Migrate") && ++started === 1) {
        self.interrupt();
        self.interrupt();
      }
    });
    await main(["run", "--repo", repo.dir, "--script", "parallel.js"], cli.io);
    expect(cli.exits).toEqual([130]);
    expect(cli.err()).toContain("exiting at once");
  }, 60_000);

  it("on a terminal, redraws one progress block in place instead of printing lines", async () => {
    const cli = cliWith(env, scripts);
    const tty = { ...cli.io, isTty: true, columns: 100, rows: 40 };
    expect(await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--refuters", "1"], tty)).toBe(0);
    // Redrawing moves the cursor up over the previous block; no plain per-agent lines.
    expect(cli.err()).toContain("\u001B[1A");
    expect(cli.err()).not.toContain("agent done:");
    expect(cli.err()).toMatch(/dynflow run [0-9a-f]{8}/);
  }, 60_000);

  it("reads .github/dynflow.yml at the base (refuters, rounds), and flags win over it", async () => {
    const configured = await makeRepo({ ...MIGRATION_FILES, ".github/dynflow.yml": "refuters: 1\nrounds: 1\n" });
    try {
      const fromFile = cliWith(env, scripts);
      await main(["run", "--repo", configured.dir, "--script", "parallel.js", "--json"], fromFile.io);
      const byFile = JSON.parse(fromFile.out()) as RunJson;
      // One refuter per change, one round: src/search is refuted and not redone.
      expect(byFile.agents.total).toBe(4);
      expect(byFile.workers.map((w) => [w.label, w.status])).toEqual([
        ["src/billing", "accepted"],
        ["src/search", "refuted"],
      ]);

      const flagged = cliWith(env, scripts);
      expect(await main(["run", "--repo", configured.dir, "--script", "parallel.js", "--rounds", "2", "--json"], flagged.io)).toBe(0);
      const byFlag = JSON.parse(flagged.out()) as RunJson;
      expect(byFlag.workers.map((w) => [w.label, w.status, w.rounds])).toEqual([
        ["src/billing", "accepted", 1],
        ["src/search", "accepted", 2],
      ]);
      expect(byFlag.agents.total).toBe(6);
    } finally {
      await removeDir(configured.dir);
    }
  }, 60_000);

  it("stops with the file's problems when .github/dynflow.yml is invalid", async () => {
    const broken = await makeRepo({ ...MIGRATION_FILES, ".github/dynflow.yml": "refuters: many\n" });
    try {
      const cli = cliWith(env, scripts);
      expect(await main(["run", "--repo", broken.dir, "--script", "parallel.js", "--json"], cli.io)).toBe(1);
      const json = JSON.parse(cli.out()) as FailedRunJson;
      expect(json.error).toMatchObject({ code: "invalid_repo_config", message: expect.stringContaining("refuters") });
    } finally {
      await removeDir(broken.dir);
    }
  });
});

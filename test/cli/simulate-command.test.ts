import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { makeRepo, removeDir, type FixtureRepo } from "../workspace/git-fixture.js";

let dir: string;

function io(): CliIo & { out: string; err: string } {
  const captured = { out: "", err: "" };
  return Object.assign(captured, {
    stdout: (text: string) => void (captured.out += text),
    stderr: (text: string) => void (captured.err += text),
    cwd: dir,
    isTty: false,
    env: {},
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dynflow-simulate-"));
  await writeFile(
    join(dir, "fan-out.js"),
    `export const meta = { name: "fan-out", description: "d", phases: [{ title: "Find" }, { title: "Fix" }] }
phase("Find")
const found = await agent("find", { schema: { type: "object", required: ["files"], properties: { files: { type: "array", items: { type: "string" } } } } })
phase("Fix")
const fixed = await parallel(found.files.map((f) => () => converge("fix " + f, { label: f })))
return fixed.map((r) => r.status)
`,
  );
  await writeFile(join(dir, "broken.js"), `export const meta = { name: "b", description: "d" }\nconst x = 1\nthrow new Error("no")\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("dynflow simulate", () => {
  it("prints the documented JSON: agents, phases, tokens, cost, result", async () => {
    const cli = io();
    const code = await main(["simulate", "fan-out.js", "--json", "--items", "4", "--latency-ms", "5"], cli);
    expect(code).toBe(0);
    const json = JSON.parse(cli.out);
    expect(Object.keys(json).sort()).toEqual(["agents", "costUsd", "durationMs", "error", "failures", "models", "phases", "result", "seed", "status", "tokens", "wallMs", "warnings"]);
    expect(json.status).toBe("ok");
    // 1 finder + 4 × (worker + 2 refuters), all upheld in one round.
    expect(json.agents).toMatchObject({ total: 13, failed: 0, cached: 0 });
    expect(json.agents.maxConcurrent).toBeGreaterThan(1);
    expect(json.phases).toEqual([
      { title: "Find", agents: 1 },
      { title: "Fix", agents: 12 },
    ]);
    expect(json.result).toEqual(["accepted", "accepted", "accepted", "accepted"]);
    expect(json.tokens.input).toBeGreaterThan(0);
    expect(json.costUsd).toBeGreaterThan(0);
    expect(cli.out.trim().split("\n")).toHaveLength(1);
  });

  it("previews the most expensive path with --pessimistic", async () => {
    const cli = io();
    await main(["simulate", "fan-out.js", "--json", "--items", "1", "--pessimistic"], cli);
    const json = JSON.parse(cli.out);
    // 1 finder + 3 rounds × (worker + 2 refuters).
    expect(json.agents.total).toBe(10);
    expect(json.result).toEqual(["refuted"]);
  });

  it("exits 1 with the error and its line when the script fails", async () => {
    const cli = io();
    expect(await main(["simulate", "broken.js", "--json"], cli)).toBe(1);
    expect(JSON.parse(cli.out)).toMatchObject({ status: "error", error: { line: 3 } });
  });

  it("stops at --max-agents with status capped", async () => {
    const cli = io();
    expect(await main(["simulate", "fan-out.js", "--json", "--max-agents", "3"], cli)).toBe(1);
    expect(JSON.parse(cli.out)).toMatchObject({ status: "capped", agents: { total: 3 } });
  });

  it("exits 2 with the usage for bad usage", async () => {
    for (const argv of [["simulate"], ["simulate", "fan-out.js", "--max-concurrency", "0"], ["simulate", "fan-out.js", "--args", "{bad"], ["simulate", "missing.js"], ["simulate", "fan-out.js", "--nope"]]) {
      const cli = io();
      expect(await main(argv, cli)).toBe(2);
      expect(cli.err).toContain("Usage: dynflow simulate");
    }
  });

  it("prints a human summary by default", async () => {
    const cli = io();
    expect(await main(["simulate", "fan-out.js", "--items", "3"], cli)).toBe(0);
    expect(cli.out).toContain("no model called");
    // 1 finder + 3 items × (worker + 2 refuters).
    expect(cli.out).toMatch(/Agents: +10 /);
    expect(cli.out).toMatch(/Duration: .+ at 6 agents at once at most \(simulated time\)/);
  });
});

describe("dynflow simulate: what a run resolves, resolved the same way", () => {
  let repo: FixtureRepo;
  beforeAll(async () => {
    repo = await makeRepo({
      ".claude/workflows/scan.js": `export const meta = { name: "scan", description: "d" }\nreturn await agent("scan " + args.dir, { agentType: "scout" })`,
      ".claude/agents/scout.md": "---\nname: scout\ndescription: explores\ntools: Read, Grep, Glob\nmodel: haiku\n---\nYou explore.\n",
      ".github/dynflow.yml": "modelAliases:\n  haiku: claude-haiku-4-5\nweb:\n  search: true\n  maxSearches: 4\n",
      "src/a.ts": "x\n",
    });
    await writeFile(
      join(dir, "nested.js"),
      `export const meta = { name: "nested", description: "d" }
const saved = await workflow("scan", { dir: "src" })
const local = await workflow({ scriptPath: "inner.js" })
const bundled = typeof workflow === "function"
return { saved, local, bundled }`,
    );
    await writeFile(join(dir, "inner.js"), `export const meta = { name: "inner", description: "d" }\nreturn "inner ran"`);
  });
  afterAll(async () => {
    await removeDir(repo.dir);
  });

  it("finds saved workflows and agent types in --repo, scriptPath files in the current directory, and the repository's config", async () => {
    const cli = io();
    expect(await main(["simulate", "nested.js", "--json", "--repo", repo.dir], cli)).toBe(0);
    const json = JSON.parse(cli.out);
    expect(json.failures).toEqual([]);
    expect(json.result).toMatchObject({ saved: "Done: scan src", local: "inner ran", bundled: true });
    // The scout is a haiku, which this repository points at Haiku 4.5; web search is on, so its uses are priced in.
    const perSearch = 0.01;
    expect(json.costUsd).toBeGreaterThan(3 * perSearch);
  });

  it("reads the script and workflow({ scriptPath }) relative to the current directory, not to the script's directory or --repo", async () => {
    await mkdir(join(dir, "sub"), { recursive: true });
    await writeFile(join(dir, "sub", "outer.js"), `export const meta = { name: "outer", description: "d" }\nreturn await workflow({ scriptPath: "where.js" })`);
    await writeFile(join(dir, "where.js"), `export const meta = { name: "where", description: "d" }\nreturn "current directory"`);
    await writeFile(join(dir, "sub", "where.js"), `export const meta = { name: "where", description: "d" }\nreturn "script's directory"`);
    const cli = io();
    expect(await main(["simulate", "sub/outer.js", "--json", "--repo", repo.dir], cli)).toBe(0);
    expect(JSON.parse(cli.out).result).toBe("current directory");
  });

    it("shows why agents failed, in the summary and in --json", async () => {
    await writeFile(join(dir, "typo.js"), `export const meta = { name: "t", description: "d" }\nreturn await agent("x", { agentType: "scuot" })`);
    const text = io();
    expect(await main(["simulate", "typo.js"], text)).toBe(0);
    expect(text.out).toContain("Failed agents:");
    expect(text.out).toContain('a1 x: agent type "scuot" not found: looked for .claude/agents/scuot.md');
    const json = io();
    await main(["simulate", "typo.js", "--json"], json);
    expect(JSON.parse(json.out).failures).toEqual([{ agent: "a1", label: "x", error: expect.stringContaining("looked for .claude/agents/scuot.md") }]);
  });

  it("fails a script naming a model without a price before any agent, saying how to add one", async () => {
    await writeFile(join(dir, "unpriced.js"), `export const meta = { name: "t", description: "d" }\nawait agent("a", { model: "haiku" })\nreturn await agent("b", { model: "gpt-9" })`);
    const cli = io();
    expect(await main(["simulate", "unpriced.js", "--json"], cli)).toBe(1);
    const json = JSON.parse(cli.out);
    expect(json).toMatchObject({ status: "error", agents: { total: 0 }, error: { code: "model_without_price" } });
    expect(json.error.message).toContain('"gpt-9"');
    expect(json.error.message).toContain("prices:");
  });

  it("reports the concurrency a fan-out reaches even at --latency-ms 0", async () => {
    await writeFile(join(dir, "wide.js"), `export const meta = { name: "w", description: "d" }\nreturn (await parallel(Array.from({ length: 20 }, (_, i) => () => agent("item " + i)))).length`);
    const cli = io();
    await main(["simulate", "wide.js", "--json", "--latency-ms", "0", "--max-concurrency", "8"], cli);
    expect(JSON.parse(cli.out)).toMatchObject({ result: 20, agents: { total: 20, maxConcurrent: 8 } });
    const timed = io();
    await main(["simulate", "wide.js", "--json", "--latency-ms", "60000", "--max-concurrency", "8"], timed);
    // 20 agents of a minute each, 8 at a time: three waves.
    expect(JSON.parse(timed.out).durationMs).toBe(180_000);
  });

  it("varies simulated answers by seed: the same seed repeats a run, another changes a vote", async () => {
    await writeFile(
      join(dir, "vote.js"),
      `export const meta = { name: "v", description: "d" }
const VOTE = { type: "object", required: ["verdict"], properties: { verdict: { type: "string", enum: ["real", "false-positive"] } } }
const votes = await parallel([1, 2, 3, 4, 5].map((i) => () => agent("judge " + i, { schema: VOTE })))
return votes.map((v) => v.verdict)`,
    );
    const results: string[] = [];
    for (const seed of ["1", "1", "2", "3", "4"]) {
      const cli = io();
      await main(["simulate", "vote.js", "--json", "--seed", seed], cli);
      results.push(JSON.stringify(JSON.parse(cli.out).result));
    }
    expect(results[0]).toBe(results[1]);
    expect(new Set(results).size).toBeGreaterThan(1);
    expect(results.some((r) => r.includes("real") && r.includes("false-positive"))).toBe(true);
  });
});

describe("dynflow simulate: progress", () => {
  it("draws live progress on a terminal, and prints none into a pipe", async () => {
    const tty = Object.assign(io(), { isTty: true });
    await main(["simulate", "fan-out.js", "--items", "2"], tty);
    expect(tty.err).toContain("dynflow simulate fan-out.js · phase Fix");
    expect(tty.err).toMatch(/agents \d+ done, \d+ running, \d+ queued/);
    const pipe = io();
    await main(["simulate", "fan-out.js", "--items", "2"], pipe);
    expect(pipe.err).toBe("");
  });
});

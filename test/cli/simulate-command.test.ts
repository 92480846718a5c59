import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/cli-io.js";

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
    expect(Object.keys(json).sort()).toEqual(["agents", "costUsd", "durationMs", "error", "failures", "phases", "result", "seed", "status", "tokens", "wallMs", "warnings"]);
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

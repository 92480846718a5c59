/**
 * Sandboxed commands on a generated 50,000-file repository: writing the base
 * tree once per run, then the cost of one command (`true`) in the sandbox
 * with an agent's 3 changed files laid over it, against starting `true`
 * directly. The overhead is what the sandbox adds to every command.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandSandbox, probeSandbox } from "../src/command-sandbox/index.js";
import { openRepository } from "../src/workspace/open-repository.js";
import type { LayerFile } from "../src/workspace/index.js";
import type { BenchFigure } from "./types.js";
import { fileContent, filePath, generateRepository } from "./workspace.bench.js";

const RUNS = 30;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function runDirect(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: "/usr/bin:/bin" } });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

export async function bench(): Promise<BenchFigure[]> {
  const availability = await probeSandbox();
  if (!availability.available) {
    console.log(`sandbox unavailable on this host: ${availability.reason}`);
    return [];
  }
  const dir = await mkdtemp(join(tmpdir(), "dynflow-bench-sandbox-"));
  try {
    await generateRepository(dir);
    const repository = await openRepository(dir);
    const head = await repository.resolveCommit("main");
    let started = performance.now();
    const sandbox = await CommandSandbox.create({ repository, baseCommit: head });
    const materializeMs = performance.now() - started;
    const layer: LayerFile[] = [3, 20_011, 40_777].map((i) => ({
      path: filePath(i),
      content: Buffer.from(`${fileContent(i)}// changed\n`),
      executable: false,
      symlink: false,
    }));
    try {
      // Warm both paths once.
      await sandbox.run("true", layer);
      await runDirect();
      const sandboxed: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        started = performance.now();
        const result = await sandbox.run("true", layer);
        sandboxed.push(performance.now() - started);
        if (result.exitCode !== 0) throw new Error(`true exited ${result.exitCode}: ${result.output}`);
        started = performance.now();
        await runDirect();
        direct.push(performance.now() - started);
      }
      const overhead = median(sandboxed) - median(direct);
      const seen = await sandbox.run(`cat ${filePath(3)} | tail -1; ls | wc -l`, layer);
      return [
        { name: "write the 50,000-file base tree once per run", value: Math.round(materializeMs), unit: "ms" },
        { name: `sandboxed \`true\` with 3 changed files, median of ${RUNS}`, value: median(sandboxed), unit: "ms" },
        { name: `\`true\` started directly, median of ${RUNS}`, value: median(direct), unit: "ms" },
        { name: "overhead per command", value: overhead, unit: "ms", target: "≤ 50 ms", pass: overhead <= 50 },
        { name: "sandboxed p90", value: [...sandboxed].sort((a, b) => a - b)[Math.floor(RUNS * 0.9)] as number, unit: "ms" },
        { name: `changed file seen in /work (${seen.output.trim().split("\n").join(", ")})`, value: seen.exitCode, unit: "exit" },
      ];
    } finally {
      await sandbox.close();
      await repository.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

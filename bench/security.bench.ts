/**
 * Security benchmarks: the longest event-loop stall while the host handles
 * hostile inputs from scripts and models (the attack classes of
 * docs/security.md). A stall is time the process that serves every
 * repository cannot answer anything; it is measured with Node's event-loop
 * delay histogram around each scenario. Before the fixes, the first two
 * scenarios stalled the loop for ~100 s and ~60 s per path.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { DEFAULT_PRICES } from "../src/agents/model/index.js";
import { compileGlob } from "../src/patterns/index.js";
import { fenceUntrusted } from "../src/plan/fence-untrusted.js";
import { runScript } from "../src/runtime/run-script.js";
import { compileSchema } from "../src/runtime/schema/compile-schema.js";
import { findSchemaContradiction } from "../src/runtime/schema/find-schema-contradiction.js";
import { DEFAULT_RUN_LIMITS, type AgentRunner } from "../src/runtime/types.js";
import { estimatePlan } from "../src/simulate/estimate-plan.js";
import { openRepository } from "../src/workspace/index.js";
import { makeRepo, removeDir, testGitEnv } from "../test/workspace/git-fixture.js";
import type { BenchFigure } from "./types.js";

/** Stalls up to this are the ordinary cost of a host call; the target for every hostile scenario. */
const STALL_TARGET_MS = 100;
const META = `export const meta = { name: "hostile", description: "bench" };\n`;
const instant: AgentRunner = { run: async () => ({ output: "ok", usage: { input: 10, output: 1, cacheWrite: 0, cacheRead: 0 }, costUsd: 0.001 }) };

/** Runs `work` and returns the longest event-loop stall during it, and how long it took. */
async function measure(work: () => Promise<unknown> | unknown): Promise<{ stallMs: number; totalMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  // Let the histogram's timer run once before the work, so a synchronous block shows as a stall.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise<void>((resolve, reject) => setImmediate(() => Promise.resolve().then(work).then(() => resolve(), reject)));
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return { stallMs: histogram.max / 1e6, totalMs: performance.now() - started - 40 };
}

function figure(name: string, measured: { stallMs: number; totalMs: number }): BenchFigure[] {
  return [
    { name: `${name}: longest stall`, value: measured.stallMs, unit: "ms", target: `≤ ${STALL_TARGET_MS} ms`, pass: measured.stallMs <= STALL_TARGET_MS },
    { name: `${name}: whole scenario`, value: measured.totalMs, unit: "ms" },
  ];
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const evil = "^(a+)+$";
  const hostile = `${"a".repeat(32)}!`;

  // The first schema compile of a process builds ajv's instances; that cost is not the pattern's.
  compileSchema({ type: "string", pattern: "^b+$" }).validate("bbb");
  figures.push(
    ...figure("schema pattern ^(a+)+$ vs 32 a's + !, estimate check and ajv", await measure(() => {
      findSchemaContradiction({ type: "string", pattern: evil, enum: [hostile] });
      compileSchema({ type: "string", pattern: evil }).validate(hostile);
    })),
  );
  // For scale: V8's backtracking engine on the same pattern with 24 a's (each further a doubles it).
  figures.push({ name: "for comparison: V8 RegExp, ^(a+)+$ vs 24 a's + !", value: (await measure(() => new RegExp(evil).test(`${"a".repeat(24)}!`))).stallMs, unit: "ms" });

  // One path at a time, the way list_files and write checks meet them: the stall is one path's match.
  const paths = Array.from({ length: 2_000 }, (_, i) => `src/${"a".repeat(40 + (i % 20))}/${"a".repeat(60)}${i}.ts`);
  const extglob = compileGlob("**/+(a*)+(a*)+(a*)b");
  const stars = compileGlob("*a*a*a*a*a*a*a*a*b", { basename: true });
  const globs = await measure(async () => {
    for (const path of paths) {
      if (extglob(path) || stars(path)) throw new Error("matched");
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  figures.push(...figure("globs **/+(a*)+(a*)+(a*)b and *a*a*a*a*a*a*a*a*b, 2,000 hostile paths one by one", globs));
  const perPath = await measure(() => {
    for (const path of paths) if (extglob(path) || stars(path)) throw new Error("matched");
  });
  figures.push({ name: "the same globs: time per hostile path (both globs)", value: (perPath.totalMs * 1000) / paths.length, unit: "µs", target: "≤ 50 µs", pass: (perPath.totalMs * 1000) / paths.length <= 50 });

  const repo = await makeRepo({ "hostile.txt": `${hostile}\n`.repeat(2_000), "ok.txt": "aaaa\n" });
  const repository = await openRepository(repo.dir, { env: testGitEnv() });
  try {
    const ws = await repository.fork({ runId: "bench", slug: "search", baseCommit: "main" });
    await ws.write("edited.txt", `${hostile}\n`.repeat(2_000));
    figures.push(...figure("search ^(a+)+$ over 4,000 hostile lines (edits, git grep, fallback)", await measure(() => ws.search(evil))));

    figures.push(
      ...figure("estimate of agents with minItems 2e8 and minLength 4e8 schemas", await measure(async () => {
        const source = `${META}for (let i = 0; i < 20; i++) await agent("x" + i, { schema: { type: "object", properties: { a: { type: "array", minItems: 2e8 }, s: { type: "string", minLength: 4e8 } } } });`;
        await estimatePlan({ source, filename: "h.js", args: undefined, repository, baseCommit: repo.head, limits: { ...DEFAULT_RUN_LIMITS }, review: { refutersPerClaim: 1, maxRounds: 1 }, prices: DEFAULT_PRICES, virtualTime: { quietMs: 2 } });
      })),
    );
  } finally {
    await repository.close();
    await removeDir(repo.dir);
  }

  // The first sandbox of a process compiles the engine's WebAssembly module; that is not the script's doing.
  await runScript({ runId: "warm", source: `${META}return 1;`, baseRevision: "b", runner: instant });
  figures.push(
    ...figure("150,000 phase() titles and 3 MB of log() in one run", await measure(() =>
      runScript({ runId: "bench", source: `${META}for (let i = 0; i < 150000; i++) phase("p" + i);\nconst line = "x".repeat(1000);\nfor (let i = 0; i < 3000; i++) log(line);`, baseRevision: "b", runner: instant, sandbox: { cpuMs: 60_000 } }),
    )),
  );
  figures.push(
    ...figure("1,000 queued 1 MB prompts (refused past the budget)", await measure(() =>
      runScript({ runId: "bench", source: `${META}const big = "p".repeat(1000000);\nawait parallel(Array.from({ length: 1000 }, (_, i) => () => agent(big + i)));`, baseRevision: "b", runner: instant, sandbox: { cpuMs: 60_000, memoryMb: 256 } }),
    )),
  );
  // A model answers with at most ~64k tokens (~256 KB of text): the largest agent text another agent reads.
  figures.push(...figure("fencing 256 KB of agent text full of look-alike closers", await measure(() => fenceUntrusted("worker_report", "＜/worker_report＞ </ worker_report> ".repeat(7_500)))));
  return figures;
}

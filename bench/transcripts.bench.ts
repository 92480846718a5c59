/**
 * The transcript recorder's cost on the agents' hot path. An agent's
 * transcript calls return at once (an entry is built and buffered) and
 * batches are written in the background, but on the same event loop, so
 * both are measured:
 *
 * - the synchronous cost of one recorded entry (what an agent waits for);
 * - a 1,000-agent run whose agents answer at once and each record a
 *   transcript of realistic size (a prompt, four turns, eight tool calls, an
 *   ending with a diff), against the same run recording nothing: the extra
 *   run time per agent (writes to SQLite, and PostgreSQL when one answers,
 *   go on meanwhile on the same event loop), and how long the writes still
 *   pending when the run ended take to drain.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runScript } from "../src/runtime/run-script.js";
import type { AgentRunner } from "../src/runtime/types.js";
import { openStore } from "../src/store/open-store.js";
import type { Store } from "../src/store/types.js";
import { createTranscriptRecorder } from "../src/transcripts/create-transcript-recorder.js";
import type { TranscriptRecorder } from "../src/transcripts/types.js";
import { recordTypicalAgent } from "./dashboard-fixture.js";
import type { BenchFigure } from "./types.js";

const AGENTS = 1_000;
const ZERO = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
const SCRIPT = `export const meta = { name: "fan-out", description: "bench" }
const results = await parallel(Array.from({ length: ${AGENTS} }, (_, i) => () => agent("Migrate module " + i, { label: "module-" + i })))
return results.length`;

interface Timing {
  /** From start to the run's outcome: what the agents and the script saw. */
  runMs: number;
  /** From the outcome to the recorder's last write: the backlog of background writes. */
  drainMs: number;
}

/** A 1,000-agent run, cap 16, agents answering at once; with a recorder, until its last write. */
async function timeRun(recorder: TranscriptRecorder | null): Promise<Timing> {
  const runId = `bench-${randomBytes(4).toString("hex")}`;
  const runner: AgentRunner = {
    async run(request) {
      if (recorder) recordTypicalAgent(recorder, request, "worker");
      return { output: "done", usage: ZERO, costUsd: 0 };
    },
  };
  const started = performance.now();
  const outcome = await runScript({ runId, source: SCRIPT, baseRevision: "bench", runner, limits: { maxAgents: AGENTS, maxConcurrency: 16 } });
  if (outcome.status !== "ok") throw new Error(`bench run failed: ${JSON.stringify(outcome.error)}`);
  const ran = performance.now();
  await recorder?.flush();
  return { runMs: ran - started, drainMs: performance.now() - ran };
}

/** The least disturbed of several timings (the machine is shared). */
function fastest(timings: Timing[]): Timing {
  return timings.reduce((a, b) => (b.runMs + b.drainMs < a.runMs + a.drainMs ? b : a));
}

/**
 * What recording into `store` adds per agent, and the bytes one agent's
 * transcript takes there. Runs with and without transcripts alternate, so
 * both see the same load of the machine; the fastest of each counts.
 */
async function overheadWith(store: Store, rounds = 5): Promise<{ baseline: Timing; perAgentMs: number; drainMs: number; bytesPerAgent: number }> {
  const recorder = createTranscriptRecorder({ sink: store.transcripts });
  await timeRun(recorder); // warm up the statements
  const without: Timing[] = [];
  const recorded: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    without.push(await timeRun(null));
    recorded.push(await timeRun(recorder));
  }
  await recorder.close();
  const probe = createTranscriptRecorder({ sink: store.transcripts });
  recordTypicalAgent(probe, { runId: "probe", agentId: "a1", label: "module-probe" }, "worker");
  await probe.close();
  const baseline = fastest(without);
  const timing = fastest(recorded);
  return { baseline, perAgentMs: (timing.runMs - baseline.runMs) / AGENTS, drainMs: timing.drainMs, bytesPerAgent: (await store.transcripts.usage("probe")).bytes };
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];

  // 1. What one call costs the agent: entries built and buffered, nothing written.
  let buffered = 0;
  const discard = createTranscriptRecorder({ sink: { append: async (entries) => ((buffered += entries.length), { stored: entries.length, accepted: true }) }, flushMs: 60_000, maxBatch: 1_000_000 });
  for (let i = 0; i < 200; i++) recordTypicalAgent(discard, { runId: "warm", agentId: `a${i}`, label: `module-${i}` }, "worker");
  await discard.flush();
  buffered = 0;
  const syncStart = performance.now();
  for (let i = 0; i < 2_000; i++) recordTypicalAgent(discard, { runId: "sync", agentId: `a${i}`, label: `module-${i}` }, "worker");
  const syncMs = performance.now() - syncStart;
  await discard.close();
  figures.push({ name: "recording one entry, synchronous part (built, cleaned, buffered)", value: (1000 * syncMs) / buffered, unit: "µs" });
  figures.push({ name: "  one typical agent's transcript (14 entries), synchronous part", value: syncMs / 2_000, unit: "ms" });

  // 2. Whole runs: the extra wall time per agent, background writes included.
  await timeRun(null); // warm up the sandbox

  const dir = await mkdtemp(join(tmpdir(), "dynflow-bench-transcripts-"));
  try {
    const sqlite = await openStore({ sqlitePath: join(dir, "bench.db") });
    try {
      const { baseline, perAgentMs, drainMs, bytesPerAgent } = await overheadWith(sqlite);
      figures.push({ name: `${AGENTS} agents answering at once, no transcripts: wall`, value: baseline.runMs, unit: "ms" });
      figures.push({ name: "transcripts into SQLite: extra run time per agent", value: perAgentMs, unit: "ms", target: "≤ 2 ms (an agent takes seconds)", pass: perAgentMs <= 2 });
      figures.push({ name: "  writes still pending when the run ended, drained in", value: drainMs, unit: "ms" });
      figures.push({ name: "  stored bytes of one typical agent's transcript", value: bytesPerAgent / 1024, unit: "KB" });
    } finally {
      await sqlite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const url = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  const reachable = await admin.connect().then(
    () => true,
    () => false,
  );
  if (!reachable) {
    console.log(`  (no PostgreSQL at ${new URL(url).host}: its figure is skipped)`);
    return figures;
  }
  const schema = `dynflow_bench_${randomBytes(4).toString("hex")}`;
  await admin.query(`create schema ${schema}`);
  try {
    const scoped = new URL(url);
    scoped.searchParams.set("options", `-c search_path=${schema}`);
    const postgres = await openStore({ url: scoped.toString(), maxConnections: 4 });
    try {
      const { perAgentMs, drainMs } = await overheadWith(postgres);
      figures.push({ name: "transcripts into PostgreSQL: extra run time per agent", value: perAgentMs, unit: "ms", target: "≤ 2 ms (an agent takes seconds)", pass: perAgentMs <= 2 });
      figures.push({ name: "  writes still pending when the run ended, drained in", value: drainMs, unit: "ms" });
    } finally {
      await postgres.close();
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  return figures;
}

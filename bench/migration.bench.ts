/**
 * A repository-wide migration through `dynflow run --workflow migrate`, the
 * path of the CLI (src/cli/main.ts → execute-local-run.ts), on a generated
 * repository of eslint's `lib/` shape (bench/migration-fixture.ts: 2,200
 * files, 10 modules) with a scripted model that answers in 0 ms from its own
 * process, edits the files through the tools and refutes three first
 * attempts. So the whole run's time is dynflow's.
 *
 * One warm-up run first (modules compiled and loaded), then the measured
 * runs on the same repository (DYNFLOW_BENCH_RUNS, default 5; a shared
 * machine moves one run's wall by a third): wall, CPU of this process
 * (process.cpuUsage) and of the git processes it waited for, and where the
 * wall time went by stage (src/timing/stage-timer.ts). "Outside tool work"
 * is the wall time during which no tool call of any agent was in progress,
 * also split into before the first tool call, between tool calls and after
 * the last. Wall, CPU and shares are medians with their range; the stages
 * are those of the run with the median wall.
 * DYNFLOW_BENCH_TIMELINE=<ms> prints what was in progress at every step of
 * the first measured run; DYNFLOW_BENCH_CPU_PROFILE=<file> writes its CPU profile
 * and prints, on stderr, what the process was doing while no tool call was in
 * progress (before the first, between, after the last).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { main } from "../src/cli/main.js";
import type { CliIo } from "../src/cli/cli-io.js";
import type { RunJson } from "../src/cli/to-run-json.js";
import { setStageTimer, type Stage } from "../src/timing/stage-timer.js";
import { processTreeCpu } from "../test/durability/app-processes.js";
import { git, removeDir, testGitEnv } from "../test/workspace/git-fixture.js";
import { expectedWork, makeMigrationRepo, MODULES, REFUTED_FIRST, TASK } from "./migration-fixture.js";
import { attributeSamples, describeAttribution, type ClockPair, type CpuProfile } from "./profile-attribution.js";
import { createStageRecorder, type Interval, type StageRecorder } from "./stage-recorder.js";
import type { BenchFigure } from "./types.js";

/** The stages in the order a run goes through them, as the figures name them. */
export const STAGE_NAMES: ReadonlyArray<[Stage, string]> = [
  ["clone", "clone/fetch"],
  ["estimate", "estimate"],
  ["sandbox-start", "sandbox start"],
  ["model", "model calls (HTTP round trips, 0 ms model)"],
  ["tool", "agents' tool work"],
  ["commit", "workspace commits"],
  ["merge", "merge"],
  ["push", "push"],
  ["store", "store queries"],
];

/** The scripted model in its own process. */
export async function startModelProcess(): Promise<{ pid: number; url: string; requests: () => Promise<number>; handling: () => Promise<Interval[]>; close: () => Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", new URL("./fake-model.child.ts", import.meta.url).pathname], { stdio: "pipe" });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the fake model process ended");
    return line.value;
  };
  const url = await next();
  return {
    pid: child.pid!,
    url,
    requests: async () => {
      child.stdin.write("?\n");
      return Number(await next());
    },
    // The server's handling of each request so far, on this process's clock (performance.now()).
    handling: async () => {
      child.stdin.write("handling\n");
      return (JSON.parse(await next()) as Interval[]).map(([a, b]) => [a - performance.timeOrigin, b - performance.timeOrigin]);
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      await exited;
    },
  };
}

/** CPU of this process's child processes (git and its git launcher), the model's process left out; null off Linux. */
async function childrenCpuMs(model: { pid: number }): Promise<number | null> {
  return (await processTreeCpu(process.pid, new Set([model.pid])))?.childrenMs ?? null;
}

/**
 * With a path (DYNFLOW_BENCH_CPU_PROFILE), profiles this process's main
 * thread until the returned function is called, and writes the profile
 * there (open it in Chrome's DevTools); without one, does nothing.
 */
async function startCpuProfile(path: string | undefined): Promise<(() => Promise<CpuProfile>) | null> {
  if (!path) return null;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  // A sample every 0.2 ms (the default is 1 ms): a run's first 100 ms then hold enough samples to tell its parts apart.
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(path, JSON.stringify(profile));
    session.disconnect();
    return profile;
  };
}

async function runMigration(repoDir: string, modelUrl: string): Promise<RunJson> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    cwd: repoDir,
    isTty: false,
    env: { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-bench-key", ANTHROPIC_BASE_URL: modelUrl },
  };
  const code = await main(["run", "--repo", repoDir, "--workflow", "migrate", "--args", JSON.stringify({ task: TASK, by: "module" }), "--json"], io);
  if (code !== 0) throw new Error(`dynflow run exited ${code}: ${err}${out}`);
  return JSON.parse(out) as RunJson;
}

/** What one measured run gave. */
interface Measured {
  result: RunJson;
  calls: number;
  left: string;
  wallMs: number;
  cpuMs: number;
  gitCpuMs: number | null;
  firstModelMs: number | null;
  stages: ReturnType<StageRecorder["figures"]>;
  /** Shares of the wall, 0-1. */
  outside: number;
  outsideOfBoth: number;
  noAgent: number;
  /** Outside tool work: before the first tool call, between tool calls, after the last (ms). */
  split: { before: number; between: number; after: number };
  /** Model round trips as this process timed them, and the model server's handling of each request (ms). */
  roundTrips: number[];
  handling: number[];
}

async function measureRun(recorder: StageRecorder, repoDir: string, model: Awaited<ReturnType<typeof startModelProcess>>, options: { profile?: string; timelineMs: number }): Promise<Measured> {
  recorder.reset();
  const handledBefore = (await model.handling()).length;
  const profile = await startCpuProfile(options.profile);
  const callsBefore = await model.requests();
  const childCpuBefore = await childrenCpuMs(model);
  const cpuBefore = process.cpuUsage();
  const clocks: ClockPair = { performanceMs: performance.now(), hrtimeNs: process.hrtime.bigint() };
  const started = clocks.performanceMs;
  const result = await runMigration(repoDir, model.url);
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const profiled = await profile?.();
  const childCpuAfter = await childrenCpuMs(model);
  const calls = (await model.requests()) - callsBefore;
  const handled = (await model.handling()).slice(handledBefore);
  const wallMs = ended - started;
  // The result branch really holds the migration: no old call is left in lib/.
  const left = await git(repoDir, "grep", "-c", "context.getSourceCode()", result.branch ?? "HEAD", "--", "lib").catch(() => "");
  // DYNFLOW_BENCH_TIMELINE=20: what was in progress, every 20 ms of the run, on stderr.
  if (options.timelineMs > 0) process.stderr.write(`${recorder.timeline(started, ended, options.timelineMs).join("\n")}\n`);
  const idle = recorder.idleParts(["tool"], started, ended);
  const length = ([a, b]: Interval) => b - a;
  const before = idle[0]?.[0] === started ? length(idle[0]) : 0;
  const after = idle.length > 0 && idle.at(-1)?.[1] === ended && !(idle.length === 1 && before > 0) ? length(idle.at(-1) as Interval) : 0;
  const outsideMs = idle.reduce((sum, part) => sum + length(part), 0);
  if (profiled) {
    const first = before > 0 ? idle.slice(0, 1) : [];
    const last = after > 0 ? idle.slice(-1) : [];
    const middle = idle.slice(first.length, idle.length - last.length);
    const lines = ([["outside tool work, before the first tool call", first], ["between tool calls", middle], ["after the last", last]] as const).flatMap(([title, parts]) =>
      describeAttribution(title, parts, attributeSamples(profiled, clocks, parts)),
    );
    process.stderr.write(`${lines.join("\n")}\n`);
  }
  const firstModelCall = recorder.firstStart("model", started);
  return {
    result,
    calls,
    left,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gitCpuMs: childCpuBefore === null || childCpuAfter === null ? null : childCpuAfter - childCpuBefore,
    firstModelMs: firstModelCall === null ? null : firstModelCall - started,
    stages: recorder.figures(started, ended),
    outside: outsideMs / wallMs,
    outsideOfBoth: recorder.idleOf(["tool"], started, ended, handled) / wallMs,
    noAgent: recorder.idleOf(["tool", "model"], started, ended) / wallMs,
    split: { before, between: outsideMs - before - after, after },
    roundTrips: recorder.piecesOf("model", started, ended).map(length),
    handling: handled.map(length),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** "median (min–max)" of a figure over the runs, rounded. */
function spread(values: readonly number[], scale = 1): { value: number; range: string } {
  const scaled = values.map((v) => Math.round(v * scale));
  return { value: Math.round(median(values) * scale), range: values.length > 1 ? `${Math.min(...scaled)}–${Math.max(...scaled)}` : "" };
}

export async function bench(): Promise<BenchFigure[]> {
  const recorder: StageRecorder = createStageRecorder();
  const repoDir = await makeMigrationRepo();
  const model = await startModelProcess();
  const runs = Math.max(1, Math.floor(Number(process.env.DYNFLOW_BENCH_RUNS ?? 5)) || 5);
  setStageTimer(recorder);
  try {
    const warmStarted = performance.now();
    await runMigration(repoDir, model.url);
    const warmMs = performance.now() - warmStarted;

    const measured: Measured[] = [];
    for (let n = 0; n < runs; n++) {
      measured.push(await measureRun(recorder, repoDir, model, { ...(n === 0 ? { profile: process.env.DYNFLOW_BENCH_CPU_PROFILE } : {}), timelineMs: n === 0 ? Number(process.env.DYNFLOW_BENCH_TIMELINE ?? 0) : 0 }));
    }
    const expected = expectedWork();
    const accepted = (m: Measured) => m.result.workers.filter((w) => w.status === "accepted").length;
    const typical = [...measured].sort((a, b) => a.wallMs - b.wallMs)[(measured.length - 1) >> 1] as Measured;
    const all = (ok: (m: Measured) => boolean) => measured.every(ok);
    const over = (pick: (m: Measured) => number, scale = 1) => spread(measured.map(pick), scale);
    const ranged = (name: string, pick: (m: Measured) => number, unit: string, scale = 1): BenchFigure => {
      const { value, range } = over(pick, scale);
      return { name, value, unit: range ? `${unit} (${range})` : unit };
    };
    const wall = over((m) => m.wallMs);
    const outside = over((m) => m.outside, 100);
    const figures: BenchFigure[] = [
      { name: "repository: files / modules", value: MODULES.reduce((n, m) => n + m.files, 0), unit: `files, ${MODULES.length} modules` },
      { name: "measured runs (after one warm-up run)", value: runs, unit: "" },
      { name: "run status / accepted modules, every run", value: Math.min(...measured.map(accepted)), unit: `of ${MODULES.length} (${[...new Set(measured.map((m) => m.result.status))].join(", ")})`, target: `${MODULES.length}`, pass: all((m) => m.result.status === "ok" && accepted(m) === MODULES.length) },
      { name: "old calls left on the result branch, most of a run", value: Math.max(...measured.map((m) => (m.left === "" ? 0 : m.left.split("\n").length))), unit: "", target: "0", pass: all((m) => m.left === "") },
      { name: "agents (workers dispatched again after a refutation)", value: typical.result.agents.total, unit: `(${REFUTED_FIRST.size})`, target: `${expected.agents}`, pass: all((m) => m.result.agents.total === expected.agents) },
      { name: "model calls per run", value: typical.calls, unit: "", target: `${expected.calls}`, pass: all((m) => m.calls === expected.calls) },
      { name: "first run in this process (modules loading), wall", value: Math.round(warmMs), unit: "ms" },
      { name: "wall, median (range)", value: wall.value, unit: `ms (${wall.range})`, target: "≤ 1,500 ms", pass: median(measured.map((m) => m.wallMs)) <= 1500 },
      ranged("CPU of this process", (m) => m.cpuMs, "ms"),
    ];
    // The start of the run: recording it, the sandbox, the script up to its first agent's first turn.
    if (all((m) => m.firstModelMs !== null)) figures.push(ranged("start of the run to its first model call", (m) => m.firstModelMs as number, "ms"));
    if (all((m) => m.gitCpuMs !== null)) figures.push(ranged("CPU of its git processes and launcher", (m) => m.gitCpuMs as number, "ms"));
    for (const [stage, label] of STAGE_NAMES) {
      const f = typical.stages.get(stage);
      if (f === undefined) continue;
      figures.push({ name: `stage ${label}: busy (summed, count)`, value: Math.round(f.busyMs), unit: `ms (${Math.round(f.summedMs)}, ${f.count})` });
    }
    figures.push({ name: "wall outside agents' tool work, median (range)", value: outside.value, unit: `% (${outside.range})`, target: "≤ 25 %", pass: median(measured.map((m) => m.outside)) <= 0.25 });
    // Where that time lies: before the first tool call (the run's start), between tool calls, after the last (the end).
    figures.push({ name: "  of it before the first tool call / between / after the last", value: Math.round(median(measured.map((m) => m.split.before))), unit: `/ ${Math.round(median(measured.map((m) => m.split.between)))} / ${Math.round(median(measured.map((m) => m.split.after)))} ms` });
    // The same, counting the model server's own handling of requests (another process) as not dynflow's.
    figures.push(ranged("wall outside tool work and outside the model server's handling", (m) => m.outsideOfBoth, "%", 100));
    // No agent at work at all (neither a tool call nor a model turn in progress): the run's own orchestration alone.
    figures.push(ranged("wall with no agent at work (no tool call, no model turn)", (m) => m.noAgent, "%", 100));
    // A model round trip as this process sees it, against the model server's own handling of the request: the rest is this process's.
    figures.push({ name: "model round trip / the server's handling, median per call", value: Math.round(median(measured.flatMap((m) => m.roundTrips))), unit: `ms / ${median(measured.flatMap((m) => m.handling)).toFixed(1)} ms` });
    return figures;
  } finally {
    setStageTimer(null);
    await model.close();
    await removeDir(repoDir);
  }
}

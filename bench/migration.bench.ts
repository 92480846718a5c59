/**
 * A repository-wide migration through `dynflow run --workflow migrate`, the
 * path of the CLI (src/cli/main.ts → execute-local-run.ts), on a generated
 * repository of eslint's `lib/` shape (bench/migration-fixture.ts: 2,200
 * files, 10 modules) with a scripted model that answers in 0 ms from its own
 * process, edits the files through the tools and refutes three first
 * attempts. So the whole run's time is dynflow's.
 *
 * One warm-up run first (modules compiled and loaded), then the measured
 * run on the same repository: wall, CPU of this process (process.cpuUsage)
 * and of the git processes it waited for, and where the wall time went by
 * stage (src/timing/stage-timer.ts). "Outside tool work" is the wall time
 * during which no tool call of any agent was in progress.
 * DYNFLOW_BENCH_TIMELINE=<ms> prints what was in progress at every step of
 * the measured run; DYNFLOW_BENCH_CPU_PROFILE=<file> writes its CPU profile.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { main } from "../src/cli/main.js";
import type { CliIo } from "../src/cli/cli-io.js";
import type { RunJson } from "../src/cli/to-run-json.js";
import { setStageTimer, type Stage } from "../src/timing/stage-timer.js";
import { git, removeDir, testGitEnv } from "../test/workspace/git-fixture.js";
import { expectedWork, makeMigrationRepo, MODULES, REFUTED_FIRST, TASK } from "./migration-fixture.js";
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
export async function startModelProcess(): Promise<{ url: string; requests: () => Promise<number>; handling: () => Promise<Interval[]>; close: () => Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", new URL("./fake-model.child.ts", import.meta.url).pathname], { stdio: "pipe" });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the fake model process ended");
    return line.value;
  };
  const url = await next();
  return {
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

/** CPU of this process's waited-for children (git), from /proc/self/stat; null off Linux. */
export async function childrenCpuMs(): Promise<number | null> {
  const stat = await readFile("/proc/self/stat", "utf8").catch(() => null);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17 (1-based), 14 and 15 after the name.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/**
 * With a path (DYNFLOW_BENCH_CPU_PROFILE), profiles this process's main
 * thread until the returned function is called, and writes the profile
 * there (open it in Chrome's DevTools); without one, does nothing.
 */
async function startCpuProfile(path: string | undefined): Promise<(() => Promise<void>) | null> {
  if (!path) return null;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(path, JSON.stringify(profile));
    session.disconnect();
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

export async function bench(): Promise<BenchFigure[]> {
  const recorder: StageRecorder = createStageRecorder();
  const repoDir = await makeMigrationRepo();
  const model = await startModelProcess();
  setStageTimer(recorder);
  try {
    const warmStarted = performance.now();
    await runMigration(repoDir, model.url);
    const warmMs = performance.now() - warmStarted;
    recorder.reset();

    const profile = await startCpuProfile(process.env.DYNFLOW_BENCH_CPU_PROFILE);
    const callsBefore = await model.requests();
    const childCpuBefore = await childrenCpuMs();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runMigration(repoDir, model.url);
    const ended = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    await profile?.();
    const childCpuAfter = await childrenCpuMs();
    const calls = (await model.requests()) - callsBefore;
    const wallMs = ended - started;

    // The result branch really holds the migration: no old call is left in lib/.
    const left = await git(repoDir, "grep", "-c", "context.getSourceCode()", result.branch ?? "HEAD", "--", "lib").catch(() => "");
    const expected = expectedWork();
    const stages = recorder.figures(started, ended);
    const outsideMs = recorder.idleOf(["tool"], started, ended);
    const outsideOfBothMs = recorder.idleOf(["tool"], started, ended, await model.handling());
    const noAgentMs = recorder.idleOf(["tool", "model"], started, ended);
    // DYNFLOW_BENCH_TIMELINE=20: what was in progress, every 20 ms of the measured run, on stderr.
    const step = Number(process.env.DYNFLOW_BENCH_TIMELINE ?? 0);
    if (step > 0) process.stderr.write(`${recorder.timeline(started, ended, step).join("\n")}\n`);
    const figures: BenchFigure[] = [
      { name: "repository: files / modules", value: MODULES.reduce((n, m) => n + m.files, 0), unit: `files, ${MODULES.length} modules` },
      { name: "run status / accepted modules", value: result.workers.filter((w) => w.status === "accepted").length, unit: `of ${MODULES.length} (${result.status})`, target: `${MODULES.length}`, pass: result.status === "ok" && result.workers.filter((w) => w.status === "accepted").length === MODULES.length },
      { name: "old calls left on the result branch", value: left === "" ? 0 : left.split("\n").length, unit: "", target: "0", pass: left === "" },
      { name: "agents (workers dispatched again after a refutation)", value: result.agents.total, unit: `(${REFUTED_FIRST.size})`, target: `${expected.agents}`, pass: result.agents.total === expected.agents },
      { name: "model calls", value: calls, unit: "", target: `${expected.calls}`, pass: calls === expected.calls },
      { name: "first run in this process (modules loading), wall", value: Math.round(warmMs), unit: "ms" },
      { name: "wall", value: Math.round(wallMs), unit: "ms", target: "≤ 1,500 ms", pass: wallMs <= 1500 },
      { name: "CPU of this process", value: Math.round((cpu.user + cpu.system) / 1000), unit: "ms" },
    ];
    // The start of the run: recording it, the sandbox, the script up to its first agent's first turn.
    const firstModelCall = recorder.firstStart("model", started);
    if (firstModelCall !== null) figures.push({ name: "start of the run to its first model call", value: Math.round(firstModelCall - started), unit: "ms" });
    if (childCpuBefore !== null && childCpuAfter !== null) figures.push({ name: "CPU of its git processes", value: Math.round(childCpuAfter - childCpuBefore), unit: "ms" });
    for (const [stage, label] of STAGE_NAMES) {
      const f = stages.get(stage);
      if (f === undefined) continue;
      figures.push({ name: `stage ${label}: busy (summed, count)`, value: Math.round(f.busyMs), unit: `ms (${Math.round(f.summedMs)}, ${f.count})` });
    }
    figures.push({ name: "wall outside agents' tool work", value: Math.round((outsideMs / wallMs) * 100), unit: "%", target: "≤ 25 %", pass: outsideMs / wallMs <= 0.25 });
    // The same, counting the model server's own handling of requests (another process) as not dynflow's.
    figures.push({ name: "wall outside tool work and outside the model server's handling", value: Math.round((outsideOfBothMs / wallMs) * 100), unit: "%" });
    // No agent at work at all (neither a tool call nor a model turn in progress): the run's own orchestration alone.
    figures.push({ name: "wall with no agent at work (no tool call, no model turn)", value: Math.round((noAgentMs / wallMs) * 100), unit: "%" });
    return figures;
  } finally {
    setStageTimer(null);
    await model.close();
    await removeDir(repoDir);
  }
}

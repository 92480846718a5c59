/**
 * Scale-out benchmark: 50 `/dynflow run` commands arriving at once across 10
 * repositories, handled by real dynflow processes in the two deployment
 * shapes of docs/deploy.md, against the fake GitHub and the fake model
 * (each response takes `LATENCY_MS`):
 * - one process (SQLite, in-process queues);
 * - a web process and 2 workers on Redis and PostgreSQL (a fresh schema).
 * Each run is a saved workflow: `MODULES` modules converged in parallel, one
 * worker (2 model calls) and one refuter (1 call) each.
 *
 * Two passes per shape, each on fresh processes:
 * - intake, with GitHub's limits as in production (Octokit's throttling and
 *   retries on): every webhook answered 200 (the run recorded and its
 *   planning queued) within 5 s of the first command; GitHub's writes (the
 *   reaction, the status comment) come afterwards from the queued step. The
 *   runs are not waited for.
 * - drain, with Octokit's throttling off, so the figures say what dynflow
 *   itself costs: with one write a second per installation (three for writes
 *   that notify), 10 runs on one installation would be bound by GitHub's
 *   write limit, not by dynflow. The writes per run and the floor those
 *   limits would put under a production drain are reported beside it.
 *   The drain is measured twice on the same processes: the first 50 runs
 *   carry each process's one-time costs (a clone of every repository it
 *   serves, code compiled as it gets hot), the next 50 runs are what a
 *   process that has been running costs. Both are reported, with the targets.
 *   With `DYNFLOW_BENCH_NEW_REPOS=1` a drain on ten repositories the
 *   processes have not served goes between them: the one-time cost of a
 *   repository without the code's warming up.
 *   A process's CPU counts every process under it, running or not: its git
 *   launcher and the git processes it started, long-lived ones included.
 *
 * What must hold in the drain: every run finishes ok (none lost), every agent
 * calls the model exactly as often as its conversation needs (none repeated),
 * and the fake never sees more than the deployment-wide cap in flight. The
 * figure is the time from the first command to the last finished run
 * ("drain"), set against the ideal: total model time ÷ the cap.
 *
 * The repositories are served over smart HTTP (`git http-backend`, started by
 * this process), as GitHub serves them: the remote's side of every clone,
 * fetch and push (upload-pack, receive-pack) is GitHub's work, and its CPU is
 * not counted as dynflow's. Served from a path instead, it ran as a child of
 * the dynflow process that pushed or fetched.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../test/fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../test/fakes/fake-github-server.js";
import { startGitHttpServer } from "../test/fakes/git-http-server.js";
import { commentPayload, deliverWebhook, makeRemote, processCpu, until } from "../test/durability/app-processes.js";
import { startDeployment, type Deployment, type DeploymentOptions } from "../test/durability/deployment.js";
import { availableShapes, shapeLabel } from "./deployment-shapes.js";
import type { BenchFigure } from "./types.js";

const COMMANDS = 50;
const REPOSITORIES = 10;
const MODULES = 2;
/** Agents running at once across the deployment (`DYNFLOW_MAX_CONCURRENCY`). */
const CAP = 4;
const LATENCY_MS = 100;
/** Model calls of one run: per module, a worker's two turns and one refuter. */
const CALLS_PER_RUN = MODULES * 3;
const DRAIN_WAIT_MS = 240_000;
/** `DYNFLOW_BENCH_INTAKE_ONLY=1`: measure acceptance only, without the drain pass. */
const INTAKE_ONLY = process.env.DYNFLOW_BENCH_INTAKE_ONLY === "1";
/**
 * `DYNFLOW_BENCH_NEW_REPOS=1`: a drain between the two, on the same
 * processes but on ten repositories they have not served yet (then the warm
 * drain on those): what a repository's first run costs a running process,
 * apart from the code warming up.
 */
const NEW_REPOSITORIES = process.env.DYNFLOW_BENCH_NEW_REPOS === "1";

const WORKFLOW = `export const meta = { name: "bench", description: "Tag every module" };
const modules = await repo.modules();
const results = await parallel(modules.map((m) => () => converge("Tag " + m.name + " for run " + args.tag, { label: m.name, write: m.globs })));
return results.map((r) => r.status);
`;

function repoFiles(): Record<string, string> {
  const names = Array.from({ length: MODULES }, (_, i) => `m${i}`);
  return {
    ".claude/workflows/bench.js": WORKFLOW,
    ".github/dynflow.yml": `approval: never\nrefuters: 1\nmodules:\n${names.map((m) => `  - name: ${m}\n    globs: ["src/${m}/**"]\n`).join("")}`,
    ...Object.fromEntries(names.map((m) => [`src/${m}/index.ts`, `export const name = "${m}";\n`])),
  };
}

/** Workers write their module once and finish; refuters uphold. Every response takes LATENCY_MS. */
function answer(request: RecordedRequest) {
  const first = JSON.stringify(request.body.messages[0] ?? "");
  const system = JSON.stringify(request.body.system ?? "");
  const module = /Tag (m\d+) for run/.exec(first)?.[1] ?? /src\/(m\d+)\/index\.ts/.exec(first)?.[1] ?? "m0";
  if (system.includes("You are a refuter agent")) {
    return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `only src/${module} changed` } }, { delayMs: LATENCY_MS });
  }
  if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `tagged ${module}`, result: `tagged ${module}` }, { delayMs: LATENCY_MS });
  return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// tagged\nexport const name = "${module}";\n` }, { delayMs: LATENCY_MS });
}

interface IntakeResult {
  /** From the first command sent to the last webhook answered and the last command's run recorded. */
  acceptMs: number;
  /** From the first command sent to the last webhook answered. */
  answerMs: number;
  /** Webhooks answered 200 (run recorded and queued within the handler). */
  answered200: number;
  /** Webhooks Probot answered with 202, its handler still running after 9 s. */
  late: number;
}

interface DrainResult extends IntakeResult {
  drainMs: number;
  /** Every run finished within `DRAIN_WAIT_MS`. */
  drained: boolean;
  /** CPU of every dynflow process (and their git processes), or null where /proc is missing. */
  cpuMs: number | null;
  /** The same per process: its own threads, and the processes under it (git, its git launcher). */
  perProcess: { name: string; ownMs: number; childrenMs: number }[] | null;
  /** Share of the whole machine's CPU time that was busy during the drain (Linux), or null. */
  machineBusy: number | null;
  /**
   * CPU of this benchmark's own process and its finished children over the
   * drain: the fakes of GitHub and the model, and the remotes' side of every
   * fetch and push (`git http-backend`); null where /proc is missing.
   */
  fakesMs: number | null;
  ok: number;
  maxInFlight: number;
  calls: number;
  /** Requests the fake GitHub answered. */
  githubCalls: number;
  writes: GitHubWrites;
  repeated: number;
}

/** A shape's processes against fresh fakes; `production`: Octokit's throttling and retries on, as src/server.ts sets them up. */
async function startShape(shape: DeploymentOptions["shape"], work: string, production: boolean) {
  const github = await startFakeGitHubServer();
  const model: FakeAnthropic = await startFakeAnthropic({ prefixDelayMs: LATENCY_MS, minCacheTokens: 1e9, handler: answer });
  const dir = await mkdtemp(join(work, `${shape}-`));
  const remotes = await startGitHttpServer(dir);
  for (let r = 0; r < (NEW_REPOSITORIES ? 2 : 1) * REPOSITORIES; r++) {
    const name = `repo${r}`;
    github.addRepository({ owner: "bench", repo: name, installationId: installationOf(r), bareDir: await makeRemote(dir, name, repoFiles()), cloneUrl: `${remotes.url}/${name}.git` });
  }
  const deployment = await startDeployment({
    shape,
    github,
    model,
    work: dir,
    workers: 2,
    workerConcurrency: CAP,
    env: {
      DYNFLOW_MAX_CONCURRENCY: String(CAP),
      // The embedded process runs 8 steps at once; each of the two workers 4, 8 in all.
      DYNFLOW_MAX_CONCURRENT_RUNS: shape === "embedded" ? "8" : "4",
      LOG_LEVEL: "error",
      // Without it the test fixtures give every process an Octokit with throttling and retries off.
      ...(production ? { TEST_PRODUCTION_OCTOKIT: "1" } : {}),
    },
  });
  return { github, model, remotes, deployment, processes: [deployment.web, ...deployment.workers] };
}

/**
 * The repository of command `i`: the first `REPOSITORIES`, or with
 * `NEW_REPOSITORIES` the next ones from the second drain on.
 */
function repositoryOf(i: number): number {
  return (NEW_REPOSITORIES && i >= COMMANDS ? REPOSITORIES : 0) + (i % REPOSITORIES);
}

function installationOf(repository: number): number {
  return 100 + (repository % 5);
}

/** Sends `COMMANDS` commands at once, numbered from `first`; resolves once every webhook is answered and every command's run is recorded. */
async function sendCommands(deployment: Deployment, first = 0): Promise<IntakeResult & { ids: string[] }> {
  const started = Date.now();
  // A webhook answered 200 was accepted: its run is recorded and queued (202 is Probot's "still processing" at 9 s).
  let late = 0;
  const statuses = await Promise.all(
    Array.from({ length: COMMANDS }, async (_, n) => {
      const i = first + n;
      const index = repositoryOf(i);
      const repo = `repo${index}`;
      const payload = commentPayload({ owner: "bench", repo, installationId: installationOf(index), issue: 1 + i, commentId: 70_000 + i, body: `/dynflow run bench {"tag": ${i}}` });
      const status = await deliverWebhook(deployment.port, { id: `bench-delivery-${i}`, name: "issue_comment", payload });
      // Probot answers 202 when the handler has not finished within 9 s; the handler goes on.
      if (status === 202) late++;
      else if (status !== 200) throw new Error(`webhook ${i} answered ${status}`);
      return status;
    }),
  );
  const answerMs = Date.now() - started;
  const ids: string[] = [];
  for (let i = first; i < first + COMMANDS; i++) {
    await until(async () => (await deployment.store.runs.findByCommandComment(70_000 + i)) !== undefined, `a run for command ${i}`, 170_000, 100);
    ids.push((await deployment.store.runs.findByCommandComment(70_000 + i))!.id);
  }
  // Accepted: every webhook answered and every command's run recorded (a handler answered 202 may still be recording).
  return { acceptMs: Date.now() - started, answerMs, answered200: statuses.filter((status) => status === 200).length, late, ids };
}

/** Intake with GitHub's production limits; the runs are left unfinished. */
async function measureIntake(shape: DeploymentOptions["shape"], work: string): Promise<IntakeResult> {
  const { github, model, remotes, deployment, processes } = await startShape(shape, work, true);
  try {
    const { ids: _ids, ...intake } = await sendCommands(deployment);
    return intake;
  } finally {
    // Nothing to wait for at shutdown.
    await Promise.all(processes.map((child) => child.stop("SIGKILL")));
    await deployment.close();
    await model.close();
    await github.close();
    await remotes.close();
  }
}

/**
 * Intake and drain with Octokit's throttling off: what dynflow itself costs.
 * Two drains on the same processes: fresh, then warm.
 */
async function measureDrain(shape: DeploymentOptions["shape"], work: string): Promise<{ fresh: DrainResult; newRepositories: DrainResult | null; warm: DrainResult }> {
  const started = await startShape(shape, work, false);
  try {
    // Start-up (compiling the sources under tsx) is not the runs' work: each drain counts from its first command.
    const fresh = await drainOnce(started, 0);
    const newRepositories = NEW_REPOSITORIES ? await drainOnce(started, COMMANDS) : null;
    const warm = await drainOnce(started, (NEW_REPOSITORIES ? 2 : 1) * COMMANDS);
    return { fresh, newRepositories, warm };
  } finally {
    await started.deployment.close();
    await started.model.close();
    await started.github.close();
    await started.remotes.close();
  }
}

/** Sends `COMMANDS` commands (numbered from `first`) and waits for their runs to finish; what GitHub and the model saw is counted from here on. */
async function drainOnce({ github, model, deployment, processes }: Awaited<ReturnType<typeof startShape>>, first: number): Promise<DrainResult> {
  const requestsBefore = model.requests.length;
  const callsBefore = github.calls.length;
  const cpuBefore = await Promise.all(processes.map((child) => child.cpu()));
  const fakesBefore = await ownCpuMs();
  const machineBefore = await machineTicks();
  const started = Date.now();
  const { ids, ...intake } = await sendCommands(deployment, first);
  // A drain that outlasts the wait is reported with the runs that did finish.
  const drained = await until(async () => (await deployment.store.runs.listIdsByStatus(["queued", "running"])).length === 0, "every run to finish", DRAIN_WAIT_MS, 100).then(
    () => true,
    () => false,
  );
  const drainMs = Date.now() - started;
  const machineAfter = await machineTicks();
  const fakesAfter = await ownCpuMs();
  const cpuAfter = await Promise.all(processes.map((child) => child.cpu()));
  const perProcess = processes.map((child, i) => {
    const before = cpuBefore[i];
    const after = cpuAfter[i];
    if (!before || !after) return null;
    return { name: child.name, ownMs: after.ownMs - before.ownMs, childrenMs: after.childrenMs - before.childrenMs };
  });
  const measured = perProcess.includes(null) ? null : (perProcess as { name: string; ownMs: number; childrenMs: number }[]);
  const runs = await Promise.all(ids.map((id) => deployment.store.runs.get(id)));
  const requests = model.requests.slice(requestsBefore);
  const perAgent = new Map<string, number>();
  for (const request of requests) {
    const key = `${JSON.stringify(request.body.system).slice(0, 40)}|${JSON.stringify(request.body.messages[0])}|${request.body.messages.length}`;
    perAgent.set(key, (perAgent.get(key) ?? 0) + 1);
  }
  const calls = github.calls.slice(callsBefore);
  return {
    ...intake,
    drainMs,
    drained,
    cpuMs: measured === null ? null : measured.reduce((sum, p) => sum + p.ownMs + p.childrenMs, 0),
    perProcess: measured,
    machineBusy: machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : null,
    // The dynflow processes are still running: what this process's children used so far is the remotes' git alone.
    fakesMs: fakesBefore !== null && fakesAfter !== null ? fakesAfter - fakesBefore : null,
    ok: runs.filter((run) => run?.status === "ok").length,
    // Over the processes' life so far: the cap holds across both drains.
    maxInFlight: model.maxInFlight,
    calls: requests.length,
    githubCalls: calls.length,
    writes: countWrites(github, calls),
    repeated: [...perAgent.values()].filter((count) => count > 1).length,
  };
}

interface GitHubWrites {
  /** Requests Octokit's throttling spaces 1 s apart per installation: POST, PATCH, PUT, DELETE and GraphQL, token requests excepted. */
  total: number;
  /**
   * The shortest time those writes could take with the limits on: for the
   * busiest installation, its writes × 1 s, or its writes that notify
   * (comments, pull requests) × 3 s, whichever is longer.
   */
  floorMs: number;
}

/** The writes the fake GitHub answered, by installation, as `@octokit/plugin-throttling` limits them. */
function countWrites(github: FakeGitHubServer, calls: FakeGitHubServer["calls"]): GitHubWrites {
  const byInstallation = new Map<number, { writes: number; notifying: number }>();
  let total = 0;
  for (const call of calls) {
    const path = call.path.split("?")[0]!;
    if (!WRITE_METHODS.has(call.method) || /^\/app\/installations\/[^/]+\/access_tokens$/.test(path)) continue;
    total++;
    // GraphQL names the pull request by node id; the rest by /repos/<owner>/<repo>.
    const repo = path === "/graphql" ? github.pulls.find((pull) => pull.node_id === (call.body as { variables?: { id?: string } }).variables?.id)?.repo : /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1];
    const index = Number(/repo(\d+)$/.exec(repo ?? "")?.[1] ?? -1);
    const counts = byInstallation.get(installationOf(index)) ?? { writes: 0, notifying: 0 };
    counts.writes++;
    if (NOTIFYING.test(path)) counts.notifying++;
    byInstallation.set(installationOf(index), counts);
  }
  const floorMs = Math.max(0, ...[...byInstallation.values()].map((counts) => Math.max(counts.writes * 1000, counts.notifying * 3000)));
  return { total, floorMs };
}

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);
/** The paths of this benchmark's writes that Octokit also spaces 3 s apart (its list of writes that trigger notifications). */
const NOTIFYING = /^\/repos\/[^/]+\/[^/]+\/(issues(\/\d+\/comments)?|pulls(\/\d+\/(comments|merge|requested_reviewers|reviews))?)$/;

/** CPU of this process and of its children that have exited, or null where /proc is missing. */
async function ownCpuMs(): Promise<number | null> {
  const cpu = await processCpu("self");
  return cpu === null ? null : cpu.ownMs + cpu.childrenMs;
}

/** Busy and total CPU ticks of the whole machine so far, from /proc/stat (Linux); null elsewhere. */
async function machineTicks(): Promise<{ busy: number; total: number } | null> {
  const stat = await readFile("/proc/stat", "utf8").catch(() => null);
  const fields = stat?.split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 5) return null;
  const total = fields.reduce((sum, ticks) => sum + ticks, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - fields[3]! - fields[4]!, total };
}


export async function bench(): Promise<BenchFigure[]> {
  const work = await mkdtemp(join(tmpdir(), "dynflow-scale-bench-"));
  const figures: BenchFigure[] = [];
  const idealMs = (COMMANDS * CALLS_PER_RUN * LATENCY_MS) / CAP;
  figures.push({ name: `ideal drain: ${COMMANDS * CALLS_PER_RUN} calls × ${LATENCY_MS} ms ÷ cap ${CAP}`, value: idealMs, unit: "ms" });
  try {
    for (const shape of await availableShapes()) {
      const label = shapeLabel(shape);
      const intake = await measureIntake(shape, work);
      figures.push({ name: `${label}: webhooks answered 200 (run queued)`, value: intake.answered200, unit: `of ${COMMANDS}`, target: `${COMMANDS}`, pass: intake.answered200 === COMMANDS });
      figures.push({ name: `${label}: ${COMMANDS} commands accepted in`, value: intake.acceptMs, unit: "ms", target: "≤ 5000", pass: intake.acceptMs <= 5000 && intake.answered200 === COMMANDS });
      figures.push({ name: `${label}: last webhook answered after`, value: intake.answerMs, unit: "ms" });
      if (INTAKE_ONLY) continue;
      const { fresh, newRepositories, warm } = await measureDrain(shape, work);
      figures.push(...drainFigures(label, fresh, idealMs));
      if (newRepositories) figures.push(...drainFigures(`${label}, runs ${COMMANDS + 1}–${2 * COMMANDS} on the same processes, new repositories`, newRepositories, idealMs));
      const first = (NEW_REPOSITORIES ? 2 : 1) * COMMANDS;
      figures.push(...drainFigures(`${label}, runs ${first + 1}–${first + COMMANDS} on the same processes`, warm, idealMs));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return figures;
}

function drainFigures(label: string, result: DrainResult, idealMs: number): BenchFigure[] {
  const figures: BenchFigure[] = [
    { name: `${label}, throttling off: runs finished ok`, value: result.ok, unit: `of ${COMMANDS}`, target: `${COMMANDS}`, pass: result.ok === COMMANDS },
    { name: `${label}, throttling off: webhooks answered late (202 after 9 s)`, value: result.late, unit: `of ${COMMANDS}`, target: "0", pass: result.late === 0 },
    { name: `${label}, throttling off: model calls (repeated)`, value: result.calls, unit: `(${result.repeated})`, target: `${COMMANDS * CALLS_PER_RUN} (0)`, pass: result.calls === COMMANDS * CALLS_PER_RUN && result.repeated === 0 },
    { name: `${label}, throttling off: most model calls in flight`, value: result.maxInFlight, unit: "", target: `≤ ${CAP}`, pass: result.maxInFlight <= CAP },
    { name: `${label}, throttling off: drain${result.drained ? "" : " (gave up waiting)"}`, value: result.drainMs, unit: "ms" },
    { name: `${label}, throttling off: drain ÷ ideal`, value: result.drainMs / idealMs, unit: "×", target: "≤ 2", pass: result.drained && result.drainMs <= 2 * idealMs },
    { name: `${label}: GitHub API calls per run`, value: result.githubCalls / COMMANDS, unit: "" },
    { name: `${label}: GitHub writes per run (POST/PATCH/PUT/DELETE)`, value: result.writes.total / COMMANDS, unit: "" },
    { name: `${label}: floor of GitHub's write limits on a drain`, value: result.writes.floorMs, unit: "ms (busiest installation)" },
  ];
  if (result.cpuMs !== null) {
    figures.push({ name: `${label}: CPU of dynflow processes per run (git included)`, value: Math.round(result.cpuMs / COMMANDS), unit: "ms", target: "≤ 300", pass: result.cpuMs / COMMANDS <= 300 });
    figures.push({ name: `${label}: that CPU ÷ (drain × ${cpus().length} cores)`, value: result.cpuMs / (result.drainMs * cpus().length), unit: "" });
  }
  for (const p of result.perProcess ?? []) {
    figures.push({ name: `${label}: ${p.name} CPU per run, own / its git and launcher`, value: Math.round((p.ownMs + p.childrenMs) / COMMANDS), unit: `ms (${Math.round(p.ownMs / COMMANDS)} / ${Math.round(p.childrenMs / COMMANDS)})` });
  }
  if (result.machineBusy !== null) figures.push({ name: `${label}: machine CPU busy during the drain`, value: Math.round(result.machineBusy * 100), unit: "%" });
  if (result.fakesMs !== null) figures.push({ name: `${label}: CPU of the benchmark's fakes per run (GitHub, model, remotes' git)`, value: Math.round(result.fakesMs / COMMANDS), unit: "ms" });
  return figures;
}

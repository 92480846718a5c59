/**
 * How long dynflow keeps a migration waiting outside the model, on GitHub:
 * from the `/dynflow run migrate ...` webhook to the first model call, and
 * from the last model call to the pull request. The real app (a process
 * started from the sources, as `npm start`) against the fake GitHub (the
 * repository of bench/migration-fixture.ts in a bare remote served over smart
 * HTTP by `git http-backend`, in this process) and the
 * scripted model of the migration benchmark, which answers in 0 ms; in the
 * embedded shape, and scaled out (web + 2 workers on PostgreSQL and Redis)
 * when both answer. The GitHub calls of each interval are counted. Two
 * commands one after the other: the first after start-up, and the second,
 * which finds the app's modules loaded. With DYNFLOW_BENCH_GITHUB_LIMITS=1 the app
 * runs Octokit as in production (throttling on): writes wait their turn.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic } from "../test/fakes/fake-anthropic.js";
import { startFakeGitHubServer, type ServedCall } from "../test/fakes/fake-github-server.js";
import { startGitHttpServer } from "../test/fakes/git-http-server.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../test/durability/app-processes.js";
import { startDeployment, type DeploymentOptions } from "../test/durability/deployment.js";
import { availableShapes, shapeLabel } from "./deployment-shapes.js";
import { expectedWork, migrationFiles, migrationModel, MODULES, TASK } from "./migration-fixture.js";
import type { BenchFigure } from "./types.js";

interface Latency {
  status: string;
  calls: number;
  toFirstCallMs: number;
  toPullRequestMs: number;
  webhookToPullRequestMs: number;
  githubBefore: ServedCall[];
  githubAfter: ServedCall[];
}

async function measure(shape: DeploymentOptions["shape"], work: string): Promise<{ cold: Latency; warm: Latency }> {
  const github = await startFakeGitHubServer();
  const model = await startFakeAnthropic({ prefixDelayMs: 0, handler: migrationModel });
  const dir = await mkdtemp(join(work, `${shape}-`));
  // Served over smart HTTP, as GitHub serves it: the clone's fetch and the run's push go over the network.
  const remotes = await startGitHttpServer(dir);
  github.addRepository({ owner: "bench", repo: "lint", installationId: 300, bareDir: await makeRemote(dir, "lint", migrationFiles()), cloneUrl: `${remotes.url}/lint.git` });
  // DYNFLOW_BENCH_GITHUB_LIMITS=1: Octokit as in production (throttling on), so writes wait their turn as on GitHub.
  const limits: Record<string, string> = process.env.DYNFLOW_BENCH_GITHUB_LIMITS === "1" ? { TEST_PRODUCTION_OCTOKIT: "1" } : {};
  const deployment = await startDeployment({ shape, github, model, work: dir, env: { LOG_LEVEL: "error", ...limits } });

  /** One command, start to finish, alone on the deployment. */
  async function runOnce(issue: number): Promise<Latency> {
    const commentId = 90_000 + issue;
    const firstRequest = model.requests.length;
    const body = `/dynflow run migrate ${JSON.stringify({ task: TASK, by: "module" })}`;
    const payload = commentPayload({ owner: "bench", repo: "lint", installationId: 300, issue, commentId, body });
    const sent = Date.now();
    const status = await deliverWebhook(deployment.port, { id: `latency-${shape}-${issue}`, name: "issue_comment", payload });
    if (status !== 200) throw new Error(`the webhook answered ${status}`);
    await until(async () => {
      const run = await deployment.store.runs.findByCommandComment(commentId);
      return run !== undefined && !["planned", "awaiting-approval", "queued", "running"].includes(run.status);
    }, "the run to finish", 300_000, 50);
    const run = await deployment.store.runs.findByCommandComment(commentId);
    const pull = github.callsTo("POST", /^\/repos\/bench\/lint\/pulls$/).find((call) => call.at >= sent);
    const requests = model.requests.slice(firstRequest);
    const first = requests[0];
    const last = requests.at(-1);
    if (!pull || !first || !last) throw new Error(`run ${run?.status}: ${requests.length} model calls, ${pull ? "a" : "no"} pull request`);
    return {
      status: run?.status ?? "missing",
      calls: requests.length,
      toFirstCallMs: first.receivedAt - sent,
      toPullRequestMs: pull.at - last.receivedAt,
      webhookToPullRequestMs: pull.at - sent,
      githubBefore: github.calls.filter((c) => c.at >= sent && c.at <= first.receivedAt),
      githubAfter: github.calls.filter((c) => c.at >= last.receivedAt && c.at <= pull.at),
    };
  }

  try {
    // The first command after start-up also loads (under tsx: compiles) most of the app's modules.
    const cold = await runOnce(7);
    // DYNFLOW_BENCH_QUIET_S=35: the second command finds a server that has been quiet that long (its kept sandbox
    // threads stop after 30 s), as most commands do on an installation that is not busy.
    const quietS = Number(process.env.DYNFLOW_BENCH_QUIET_S ?? 0);
    if (quietS > 0) await new Promise((resolve) => setTimeout(resolve, quietS * 1000));
    const warm = await runOnce(8);
    return { cold, warm };
  } finally {
    await deployment.close();
    await model.close();
    await github.close();
    await remotes.close();
  }
}

export async function bench(): Promise<BenchFigure[]> {
  const work = await mkdtemp(join(tmpdir(), "dynflow-latency-bench-"));
  const figures: BenchFigure[] = [];
  const files = MODULES.reduce((n, m) => n + m.files, 0);
  try {
    for (const shape of await availableShapes()) {
      const label = shapeLabel(shape);
      const results = await measure(shape, work);
      const expected = expectedWork().calls;
      for (const [when, result] of [["first command after start", results.cold], ["second command", results.warm]] as const) {
        const name = `${label}, ${when}`;
        figures.push({ name: `${name}: run status, model calls (${files} files)`, value: result.calls, unit: `(${result.status})`, target: `${expected} (ok)`, pass: result.status === "ok" && result.calls === expected });
        figures.push({ name: `${name}: webhook → first model call`, value: result.toFirstCallMs, unit: "ms", target: "≤ 1,000 ms", pass: result.toFirstCallMs <= 1000 });
        figures.push({ name: `${name}:   GitHub calls in that time`, value: result.githubBefore.length, unit: "" });
        figures.push({ name: `${name}: last model call → pull request`, value: result.toPullRequestMs, unit: "ms", target: "≤ 1,000 ms", pass: result.toPullRequestMs <= 1000 });
        figures.push({ name: `${name}:   GitHub calls in that time`, value: result.githubAfter.length, unit: "" });
        figures.push({ name: `${name}: webhook → pull request`, value: result.webhookToPullRequestMs, unit: "ms" });
        if (process.env.BENCH_VERBOSE) {
          for (const [what, calls] of [["before the first model call", result.githubBefore], ["after the last model call", result.githubAfter]] as const) {
            console.log(`${name}, GitHub ${what}:\n${calls.map((c) => `  ${c.at - calls[0]!.at} ms ${c.method} ${c.path}`).join("\n")}`);
          }
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return figures;
}

/**
 * Crash safety of the embedded deployment, proven on a real process: the app
 * runs in a child process (SQLite file in a temp data directory, the fake
 * GitHub and the fake model served over HTTP by this process, a bare git
 * remote). A `/dynflow run` fans out to six workers, each reviewed by two
 * refuters; once half of the fan-out is finished and journaled, the process
 * is killed with SIGKILL, and a new process on the same data directory
 * recovers the run and finishes it. GitHub must see one pull request and one
 * status comment, and the model no second call for any agent that had
 * finished before the kill. The webhook is delivered twice under the same
 * delivery id, signed, over HTTP, and starts one run.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { appEnv, commentPayload, deliverWebhook, freePort, makeRemote, startAppProcess, until, type AppProcess } from "./app-processes.js";

const MODULES = ["m0", "m1", "m2", "m3", "m4", "m5"];
/** Workers whose first model call hangs until the first process is killed. */
const HELD = new Set(["m3", "m4", "m5"]);
const COMMENT_ID = 9101;

const WORKFLOW = `export const meta = { name: "tag-modules", description: "Tag every module with a version comment", phases: [{ title: "Tag" }] };
phase("Tag");
const modules = await repo.modules();
const results = await parallel(modules.map((m) => () => converge("Tag " + m.name + " with a version comment", { label: m.name, write: m.globs })));
return results.map((r) => r.status);
`;

const FILES: Record<string, string> = {
  "README.md": "# modules\n",
  ".claude/workflows/tag-modules.js": WORKFLOW,
  ".github/dynflow.yml": `approval: never\nrefuters: 2\nmodules:\n${MODULES.map((m) => `  - name: ${m}\n    globs: ["src/${m}/**"]\n`).join("")}`,
  ...Object.fromEntries(MODULES.map((m) => [`src/${m}/index.ts`, `export const name = "${m}";\n`])),
};

describe("a run survives its process being killed (embedded deployment)", () => {
  let work: string;
  let github: FakeGitHubServer;
  let model: FakeAnthropic;
  let store: Store | undefined;
  const processes: AppProcess[] = [];
  let holding = true;

  beforeAll(async () => {
    work = await tempDir("dynflow-durability-");
    github = await startFakeGitHubServer();
    github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: await makeRemote(work, "modules", FILES) });
    model = await startFakeAnthropic({ prefixDelayMs: 5 });
    model.handle((request) => {
      const { role, module } = agentOf(request);
      if (role === "worker") {
        if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `Tagged src/${module}/index.ts.`, result: `tagged ${module}` });
        if (holding && HELD.has(module)) return reply.hang();
        return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// version 2\nexport const name = "${module}";\n` });
      }
      return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `src/${module}/index.ts only gains the version comment` } });
    });
  });

  afterAll(async () => {
    for (const child of processes) await child.stop("SIGKILL");
    await store?.close();
    await model?.close();
    await github?.close();
    await removeDir(work);
  });

  it("finishes the run after a SIGKILL with one pull request, one status comment, and no model call repeated for a finished agent", { timeout: 120_000 }, async () => {
    const dataDir = join(work, "data");
    const port = await freePort();
    const env = appEnv({ github, model, dataDir, port });
    const first = await startAppProcess("app #1", "app", env);
    processes.push(first);
    store = await openStore({ sqlitePath: join(dataDir, "dynflow.db") });

    // The same delivery twice at once, as GitHub's redelivery would send it.
    const delivery = { id: "delivery-durability-1", name: "issue_comment", payload: commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: COMMENT_ID, body: "/dynflow run tag-modules" }) };
    expect(await Promise.all([deliverWebhook(port, delivery), deliverWebhook(port, delivery)])).toEqual([200, 200]);
    await until(async () => (await store!.runs.findByCommandComment(COMMENT_ID)) !== undefined, "the run record");
    const runId = (await store.runs.findByCommandComment(COMMENT_ID))!.id;

    // Half the fan-out finished and journaled (3 workers, 6 refuters), the other half held at the model: nothing else can move.
    await until(async () => (await store!.journalEntries(runId)).length === 9 && model.inFlight === HELD.size, "half the fan-out journaled", 60_000);
    const journaled = (await store.journalEntries(runId)).map((entry) => entry.label).sort();
    expect(await store.runs.get(runId)).toMatchObject({ status: "running" });
    expect(github.pulls).toEqual([]);
    const before = countByAgent(model.requests);

    expect(await first.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    holding = false;
    const second = await startAppProcess("app #2", "app", env);
    processes.push(second);
    await until(async () => !["queued", "running"].includes((await store!.runs.get(runId))!.status), "the recovered run to finish", 90_000);

    const run = (await store.runs.get(runId))!;
    expect(run.status).toBe("ok");
    // One run for the comment, whatever the deliveries: one reaction "eyes", one record.
    expect((await store.runs.listByStatus(["queued", "running", "ok", "error", "cancelled", "capped", "budget-exhausted", "planned", "awaiting-approval"])).map((r) => r.id)).toEqual([runId]);
    expect(github.reactions.filter((r) => r.content === "eyes")).toHaveLength(1);

    // The same pull request and status comment, created once each.
    expect(github.callsTo("POST", /^\/repos\/acme\/modules\/pulls$/)).toHaveLength(1);
    expect(github.pulls).toMatchObject([{ head: `dynflow/${runId}`, repo: "acme/modules" }]);
    expect(run.prNumber).toBe(github.pulls[0]!.number);
    expect(github.callsTo("POST", /^\/repos\/acme\/modules\/issues\/7\/comments$/)).toHaveLength(1);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]!.body).toContain(`dynflow run \`${runId}\` finished`);
    expect(github.callsTo("POST", /^\/repos\/acme\/modules\/check-runs$/)).toHaveLength(1);

    // No finished agent was paid for twice; the held workers ran again (their first call had never been answered).
    const done = ["m0", "m1", "m2"];
    const held = [...HELD];
    expect(Object.fromEntries(before)).toEqual({
      ...Object.fromEntries(done.flatMap((m) => [[`worker ${m}`, 2], [`refuter ${m}`, 2]])),
      ...Object.fromEntries(held.map((m) => [`worker ${m}`, 1])),
    });
    expect(Object.fromEntries(countByAgent(model.requests))).toEqual({
      ...Object.fromEntries(done.flatMap((m) => [[`worker ${m}`, 2], [`refuter ${m}`, 2]])),
      ...Object.fromEntries(held.flatMap((m) => [[`worker ${m}`, 1 + 2], [`refuter ${m}`, 2]])),
    });
    expect(journaled).toEqual(done.flatMap((m) => [m, `${m} · refuter 1`, `${m} · refuter 2`]));
    // Every agent of the run is journaled once: six workers, twelve refuters.
    expect(await store.journalEntries(runId)).toHaveLength(MODULES.length * 3);
  });
});

/** Which agent a request belongs to: the role, and the module it is about. */
function agentOf(request: RecordedRequest): { role: "worker" | "refuter"; module: string } {
  const system = JSON.stringify(request.body.system ?? "");
  const first = JSON.stringify(request.body.messages[0] ?? "");
  const role = system.includes("You are a worker agent") ? "worker" : system.includes("You are a refuter agent") ? "refuter" : null;
  const module = /Tag (m\d) with/.exec(first)?.[1] ?? /src\/(m\d)\/index\.ts/.exec(first)?.[1];
  if (role === null || module === undefined) throw new Error(`not an agent request of this test: ${first.slice(0, 300)}`);
  return { role, module };
}

/**
 * Model calls per agent. A worker is one agent per module; the refuters of
 * one module share a key (two refuters of the same claim see the same first
 * message), so their count is theirs together.
 */
function countByAgent(requests: RecordedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const { role, module } = agentOf(request);
    const key = `${role} ${module}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Status that tells the truth, on a real process (embedded deployment): the
 * model API answers every call with 529 overloaded, so every agent of the
 * run fails. The run is a failed run everywhere GitHub shows it: the status
 * comment says failed with the cause and what resuming does (and never said
 * finished), the check run concludes failure, and no pull request is opened.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { appEnv, commentPayload, deliverWebhook, freePort, makeRemote, startAppProcess, until, type AppProcess } from "../durability/app-processes.js";
import { FILES, MODULES, saysFailed, saysFinished, statusCommentHistory } from "./once-support.js";

describe("a run whose every agent failed is a failed run", () => {
  let work: string;
  let github: FakeGitHubServer;
  let model: FakeAnthropic;
  let store: Store | undefined;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    work = await tempDir("dynflow-status-failed-");
    github = await startFakeGitHubServer();
    github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: await makeRemote(work, "modules", FILES) });
    model = await startFakeAnthropic({ prefixDelayMs: 5 });
    model.handle(() => reply.error(529, { errorType: "overloaded_error", message: "Overloaded", retryAfter: 0.05 }));
  });

  afterAll(async () => {
    await app?.stop("SIGKILL");
    await store?.close();
    await model?.close();
    await github?.close();
    await removeDir(work);
  }, 60_000);

  it("says failed with the cause, concludes the check run as a failure, and opens no pull request", { timeout: 180_000 }, async () => {
    const dataDir = join(work, "data");
    const port = await freePort();
    app = await startAppProcess("app", "app", appEnv({ github, model, dataDir, port }));
    store = await openStore({ sqlitePath: join(dataDir, "dynflow.db") });
    const payload = commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: 9501, body: "/dynflow run tag-modules" });
    expect(await deliverWebhook(port, { id: "delivery-status-1", name: "issue_comment", payload })).toBe(200);
    await until(async () => (await store!.runs.findByCommandComment(9501)) !== undefined, "the run record");
    const runId = (await store.runs.findByCommandComment(9501))!.id;
    await until(async () => !["queued", "running"].includes((await store!.runs.get(runId))!.status), "the run to end", 150_000, 250);

    const run = (await store.runs.get(runId))!;
    expect(run.status).toBe("error");
    expect(run.error).toMatchObject({ code: "all_agents_failed" });
    expect(github.pulls).toEqual([]);
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]!.conclusion).toBe("failure");

    const history = statusCommentHistory(github, "acme/modules", 7);
    expect(history.filter(saysFinished)).toEqual([]);
    const last = history.at(-1)!;
    expect(saysFailed(last)).toBe(true);
    expect(last).toContain(`every agent failed (${MODULES.length} of ${MODULES.length})`);
    expect(last).toMatch(/overloaded \(529\) after \d+ attempts/);
    expect(last).toContain("/dynflow resume");
    expect(github.reactions.map((reaction) => reaction.content)).toContain("confused");
  });
});

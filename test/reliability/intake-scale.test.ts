/**
 * Intake of the scaled-out deployment (web + 2 workers on PostgreSQL and
 * Redis), with Probot's Octokit as production sets it up: throttling and
 * retries on. A burst of commands over several installations must each be
 * accepted (run recorded, planning queued) before the webhook is answered,
 * and the webhook answered as soon as that is done: GitHub writes (the 👀
 * reaction, the status comment) come afterwards, from the queued step, under
 * each installation's own write limit. A handler that writes first is held
 * by the write limiter and answers at the webhook library's cut-off with 202
 * "still processing" instead of 200.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";
import { describeWithPostgres } from "../durability/postgres-harness.js";

const COMMANDS = 16;
const REPOSITORIES = 4;
const FIRST_COMMENT = 81_000;

const WORKFLOW = `export const meta = { name: "noop", description: "Ask one agent" };
return await agent("say hi");
`;
// Approval is required: each run plans (clone, estimate) and waits, so no agent runs and the test is about intake.
const FILES = { ".claude/workflows/noop.js": WORKFLOW, ".github/dynflow.yml": "approval: always\n", "README.md": "# intake\n" };

describeWithRedis("intake of the scaled-out deployment", () => {
  describeWithPostgres("web + 2 workers, GitHub writes throttled as in production", () => {
    let work: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;

    beforeAll(async () => {
      work = await tempDir("dynflow-intake-");
      github = await startFakeGitHubServer();
      for (let r = 0; r < REPOSITORIES; r++) {
        github.addRepository({ owner: "intake", repo: `repo${r}`, installationId: 500 + r, bareDir: await makeRemote(work, `repo${r}`, FILES) });
      }
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 2, env: { TEST_PRODUCTION_OCTOKIT: "1", LOG_LEVEL: "warn" } });
    }, 120_000);

    afterAll(async () => {
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    });

    it("accepts every command before any GitHub write and answers each webhook with 200", async () => {
      const d = deployment!;
      const statuses = await Promise.all(
        Array.from({ length: COMMANDS }, (_, i) => {
          const r = i % REPOSITORIES;
          const payload = commentPayload({ owner: "intake", repo: `repo${r}`, installationId: 500 + r, issue: 1 + i, commentId: FIRST_COMMENT + i, body: "/dynflow run noop" });
          return deliverWebhook(d.port, { id: `intake-${i}`, name: "issue_comment", payload });
        }),
      );
      // 202 is "still processing": the handler was still waiting when the webhook library gave up on it.
      expect(statuses).toEqual(Array.from({ length: COMMANDS }, () => 200));
      // Answered means accepted: every command has its run already.
      const runs = await Promise.all(Array.from({ length: COMMANDS }, (_, i) => d.store.runs.findByCommandComment(FIRST_COMMENT + i)));
      expect(runs.filter((run) => run === undefined)).toEqual([]);

      // The writes come from the queued step: 👀 on every command and a status comment on every issue, once each.
      await until(() => github.reactions.filter((r) => r.content === "eyes").length === COMMANDS, "a 👀 reaction on every command", 170_000, 200);
      await until(async () => (await d.store.runs.listByStatus(["awaiting-approval"])).length === COMMANDS, "every run planned and waiting for approval", 170_000, 200);
      const perIssue = new Map<string, number>();
      for (const comment of github.comments) perIssue.set(`${comment.repo}#${comment.issue}`, (perIssue.get(`${comment.repo}#${comment.issue}`) ?? 0) + 1);
      expect(perIssue.size).toBe(COMMANDS);
      expect([...perIssue.values()].every((count) => count === 1)).toBe(true);
    }, 240_000);
  });
});

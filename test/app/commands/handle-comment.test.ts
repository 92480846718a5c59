/**
 * The comment handler's gate, through the whole app: who may start runs,
 * bots, an invalid or disabled repository config, and duplicate deliveries.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { renderPermissionRefusal } from "../../../src/github/check-permission.js";
import { parseRepoConfig } from "../../../src/config/repo-config.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), "utf8");

describe("handleComment", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("refuses someone without write access politely, and starts nothing", async () => {
    app = await startHarness();
    await app.receive("issue_comment.created.run-by-reader", "delivery-1");
    await app.idle();

    expect(app.github.appComments().map((comment) => comment.body)).toEqual([renderPermissionRefusal("passerby")]);
    // Exactly these requests: no config read, no base lookup, nothing pushed.
    expect(app.github.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /app/installations/77/access_tokens",
      "GET /repos/acme/widgets/collaborators/passerby/permission",
      "POST /repos/acme/widgets/issues/42/comments",
    ]);
    expect(app.github.reactions).toEqual([]);
    expect(await app.services.store.runs.listByStatus(["queued", "running", "awaiting-approval", "planned", "error"])).toEqual([]);
    expect(app.api.requests).toEqual([]);
  });

  it("ignores commands written by bots without a single request to GitHub", async () => {
    app = await startHarness();
    await app.receive("issue_comment.created.run-by-bot", "delivery-1");
    await app.idle();
    expect(app.github.calls).toEqual([]);
    expect(app.github.reactions).toEqual([]);
    expect(await app.services.store.runs.findByCommandComment(9006)).toBeUndefined();
  });

  it("lists every problem of an invalid .github/dynflow.yml in one comment, and starts no run", async () => {
    const yaml = fixture("invalid-mixed.yml");
    app = await startHarness({ config: yaml });
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();

    const comments = app.github.appComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("**dynflow did not start:** `.github/dynflow.yml` has");
    const expected = parseRepoConfig(yaml);
    expect(expected.ok).toBe(false);
    if (!expected.ok) {
      expect(expected.errors.length).toBeGreaterThan(5);
      for (const error of expected.errors) expect(comments[0]!.body).toContain(`\`${error.path}\``);
    }
    expect(await app.services.store.runs.findByCommandComment(9001)).toBeUndefined();
  });

  it("does nothing when the repository turned dynflow off", async () => {
    app = await startHarness({ config: "enabled: false\n" });
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();
    expect(app.github.appComments().map((comment) => comment.body)).toEqual([
      "dynflow is turned off for this repository (`enabled: false` in `.github/dynflow.yml`).",
    ]);
    expect(await app.services.store.runs.findByCommandComment(9001)).toBeUndefined();
  });

  it("starts one run for a delivery GitHub sends twice, and for a comment delivered again under a new id", async () => {
    app = await startHarness({ config: "approval: always\n" });
    await Promise.all([app.receive("issue_comment.created.run", "delivery-1"), app.receive("issue_comment.created.run", "delivery-1")]);
    await app.receive("issue_comment.created.run", "delivery-1-redelivered");
    await app.idle();

    expect(await app.services.store.runs.get("r-1")).toMatchObject({ status: "awaiting-approval", commandCommentId: 9001 });
    expect(await app.services.store.runs.get("r-2")).toBeUndefined();
    expect(app.github.appComments()).toHaveLength(1);
    // The 👀 comes from the run's planning step, once.
    expect(app.github.reactions.filter((reaction) => reaction.content === "eyes")).toHaveLength(1);
  });

  it("answers a command about a run that does not exist in this repository", async () => {
    app = await startHarness();
    await app.receive("issue_comment.created.approve", "delivery-1");
    expect(app.github.appComments().map((comment) => comment.body)).toEqual([
      "No dynflow run was started here yet. Start one with `/dynflow run <task>`, or name a run id.",
    ]);
  });
});

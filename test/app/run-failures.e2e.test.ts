/**
 * Failures a user sees, end to end: each ends in one specific message in the
 * run's status comment, the record keeps it, and the command gets 😕.
 */
import { afterEach, describe, expect, it } from "vitest";
import { reply } from "../fakes/fake-anthropic.js";
import { useNock } from "../github/octokit.js";
import { appModel, startHarness, type AppHarness } from "./app-harness.js";

const E2E = { timeout: 90_000 };

describe("a run that fails (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("says the model API failed while planning, and how to resume", E2E, async () => {
    app = await startHarness();
    app.api.handle((request, ctx) =>
      JSON.stringify(request.body.system ?? "").includes("You are dynflow's planner") ? reply.error(500, { message: "internal trouble" }) : appModel(request, ctx),
    );
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("error");
    expect(run?.error?.code).toBe("model_api_error");
    const status = app.github.statusComment("r-1")!.body;
    expect(status).toContain("❌ dynflow run `r-1` failed");
    expect(status).toContain("The model API failed (500, api\\_error) after 1 attempt");
    expect(status).toContain("To resume, comment `/dynflow resume r-1`");
    expect(app.github.reactions.map((reaction) => reaction.content)).toEqual(["eyes", "confused"]);
    expect(app.github.pulls).toEqual([]);
  });

  it("reports a script error with its line and file, and opens no pull request when nothing was merged", E2E, async () => {
    const broken = `export const meta = { name: "migrate-fetch", description: "broken" };\nconst modules = await repo.modules();\nconst first = modules[0].nmae.trim();\n`;
    app = await startHarness({ config: "approval: never\n", files: { ".claude/workflows/migrate-fetch.js": broken } });
    await app.receive("issue_comment.created.run-saved-workflow-all", "delivery-1");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("error");
    expect(run?.error).toMatchObject({ line: 3 });
    // The estimate had seen it coming.
    expect(run?.plan).toMatchObject({ estimate: { status: "error", error: { line: 3 } } });
    const status = app.github.statusComment("r-1")!.body;
    expect(status).toContain("❌ dynflow run `r-1` failed");
    expect(status).toMatch(/\*\*Error\*\* `[a-z_]+` \(line 3 of `\.claude\/workflows\/migrate-fetch\.js`\)/);
    expect(status).toContain("Nothing was merged, so no pull request was opened");
    expect(app.github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(app.github.pulls).toEqual([]);
    expect(app.github.reactions.map((reaction) => reaction.content)).toEqual(["eyes", "confused"]);
  });
});

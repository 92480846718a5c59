/**
 * A saved Claude Code workflow through the GitHub App, end to end: agent
 * types read from the base repository through the contents API, model
 * shortcuts, effort, `workflow({ scriptPath })` inside the repository, and a
 * model without a price stopping the run at planning, before any agent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { reply, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";

const E2E = { timeout: 90_000 };

const REVIEWER = "---\nname: security-reviewer\ndescription: Reviews for security holes\ntools: Read, Grep\nmodel: sonnet\n---\nYou are a security reviewer; cite path:line.\n";
const HELPER = `export const meta = { name: "helper", description: "one summary" }\nreturn await agent("Summarise " + args.what, { model: "haiku", effort: "low" })\n`;
const TYPED = `export const meta = { name: "migrate-fetch", description: "typed review", phases: [{ title: "Review", model: "opus" }] }
phase("Review")
const review = await agent("Review src/billing/index.ts", { agentType: "security-reviewer" })
const summary = await workflow({ scriptPath: "tools/flows/helper.js" }, { what: "the review" })
return { review, summary }
`;

const assignmentOf = (r: RecordedRequest): string => String(r.body.messages[0].content[1]?.text ?? "");

describe("Claude Code workflows on GitHub (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("runs a saved workflow's agent types, shortcuts and scriptPath from the base repository", E2E, async () => {
    app = await startHarness({
      config: "approval: never\n",
      files: { ".claude/workflows/migrate-fetch.js": TYPED, ".claude/agents/review/security.md": REVIEWER, "tools/flows/helper.js": HELPER },
    });
    app.api.handle(() => reply.toolUse("finish", { summary: "checked", result: "fine" }));
    await app.receive("issue_comment.created.run-saved-workflow-all", "delivery-1");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    // An issue's base is the repository's own commit: what steers agents is read there.
    expect(run?.plan).toMatchObject({ definitionsRef: run?.baseSha });
    const review = app.api.requests.find((r) => assignmentOf(r).includes("Review src/billing"))!;
    expect(review.body.model).toBe("claude-sonnet-5-5");
    expect(JSON.stringify(review.body.system)).toContain("You are a security reviewer; cite path:line.");
    expect(review.body.tools.map((t: { name: string }) => t.name)).toEqual(["read_file", "search", "finish"]);
    const summary = app.api.requests.find((r) => assignmentOf(r).includes("Summarise the review"))!;
    expect(summary.body).toMatchObject({ model: "claude-haiku-5-5", output_config: { effort: "low" } });
    // Both were read from the repository at the base commit, the base being the repository's own.
    expect(app.github.callsTo("GET", new RegExp(`/contents/tools%2Fflows%2Fhelper\\.js\\?ref=${run?.baseSha}$`)).length).toBeGreaterThan(0);
    expect(app.github.callsTo("GET", new RegExp(`/contents/\\.claude%2Fagents%2Freview%2Fsecurity\\.md\\?ref=${run?.baseSha}$`)).length).toBeGreaterThan(0);
  });

  it("stops a workflow naming a model without a price at planning, before any agent, saying how to add a price", E2E, async () => {
    const script = `export const meta = { name: "migrate-fetch", description: "d" }\nawait agent("cheap first", { model: "haiku" })\nreturn await agent("then this", { model: "acme-frontier-9" })\n`;
    app = await startHarness({ config: "approval: never\n", files: { ".claude/workflows/migrate-fetch.js": script } });
    await app.receive("issue_comment.created.run-saved-workflow-all", "delivery-1");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("error");
    expect(run?.error?.code).toBe("model_without_price");
    expect(app.api.requests).toHaveLength(0);
    const status = app.github.statusComment("r-1")!.body;
    expect(status).toContain("acme-frontier-9");
    expect(status).toContain("prices:");
  });
});

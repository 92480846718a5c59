/**
 * `/dynflow run review` on a pull request: the app lists the files the pull
 * request changes for the bundled review workflow, and posts the ranked,
 * refuted findings as ONE review on the pull request.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { reply, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";

const E2E = { timeout: 90_000 };

/** Reviewers report one finding in the search module; refuters uphold the real one and refute the made-up one. */
function reviewModel(request: RecordedRequest) {
  const system = JSON.stringify(request.body.system ?? "");
  const prompt = JSON.stringify(request.body.messages?.[0] ?? "");
  if (system.includes("You are a refuter agent")) {
    const made = prompt.includes("Billing rounds wrong");
    return reply.toolUse("finish", { summary: "checked", result: made ? { verdict: "refuted", evidence: "rounding is done by the caller" } : { verdict: "upheld", evidence: "q is concatenated unencoded" } });
  }
  if (prompt.includes("src/search/index.ts")) {
    return reply.toolUse("finish", {
      summary: "one finding",
      result: { findings: [{ title: "Search query not encoded", path: "src/search/index.ts", line: 2, severity: "high", confidence: 0.9, evidence: '"/search?q=" + q' }] },
    });
  }
  return reply.toolUse("finish", {
    summary: "one finding",
    result: { findings: [{ title: "Billing rounds wrong", path: "src/billing/index.ts", line: 1, severity: "low", confidence: 0.2, evidence: "made up" }] },
  });
}

describe("review on a pull request (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("reviews the pull request's files and posts one ranked review with only the findings that survived", E2E, async () => {
    app = await startHarness({ pullFiles: ["src/search/index.ts", "src/billing/index.ts"] });
    app.api.handle(reviewModel);
    const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.run-review-on-pr.json", import.meta.url), "utf8"));
    payload.repository.clone_url = `file://${app.bare}`;
    await app.probot.receive({ id: "delivery-review", name: "issue_comment", payload } as never);
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", workflow: "review", args: { focus: "error handling", files: ["src/search/index.ts", "src/billing/index.ts"] } });
    expect(app.github.reviews).toHaveLength(1);
    const review = app.github.reviews[0]!;
    expect(review).toMatchObject({ pull: 42, event: "COMMENT" });
    expect(review.body).toContain("<!-- dynflow:review run=r-1 -->");
    expect(review.body).toContain("Search query not encoded");
    expect(review.body).not.toContain("Billing rounds wrong");
    expect(app.github.statusComment("r-1")?.body).toContain("Posted the review on #42");
    // A read-only review changes nothing: no pull request of its own.
    expect(app.github.pulls).toEqual([]);
  });
});

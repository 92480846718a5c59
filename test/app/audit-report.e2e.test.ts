/**
 * An audit run's report (the check run's text) is the same report a
 * pull-request run gets: rendered once, with the estimate the run was
 * planned with beside what it used, and the links to the command, the
 * requester and the check run.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";
import { AUDIT_CONFIG, auditModel } from "./audit-model.js";

describe("an audit run's report", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("has the estimate and the links, as every run's report does", { timeout: 90_000 }, async () => {
    app = await startHarness({ config: AUDIT_CONFIG });
    const model = auditModel();
    model.findings = {};
    app.api.handle(model.handler);
    const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.audit.json", import.meta.url), "utf8")) as {
      comment: { id: number; html_url: string; user: { login: string } };
      repository: { clone_url: string };
    };
    payload.repository.clone_url = `file://${app.bare}`;
    await app.probot.receive({ id: "delivery-audit-report", name: "issue_comment", payload } as never);
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    const checkRun = app.github.checkRuns.find((candidate) => candidate.external_id === "r-1");
    const report = checkRun?.output?.text ?? "";
    expect(report).toContain("| | Estimate | Used |");
    expect(report).toContain(`Requested by @${payload.comment.user.login}`);
    expect(report).toContain(`[Command](${payload.comment.html_url})`);
    expect(report).toContain(`[Check run](${checkRun?.html_url})`);
  });
});

/**
 * Workflows by name on GitHub: `/dynflow run <name>` runs the repository's
 * saved workflow, else the one bundled with dynflow; and a script's
 * `workflow(name, args)` finds them the same way, both when the plan is
 * estimated and when it runs.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { readBundledWorkflow } from "../../src/workflows/index.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";
import { auditModel, type AuditModel } from "./audit-model.js";

const E2E = { timeout: 90_000 };
const QUERY_UNENCODED = { title: "Search query not encoded", path: "src/search/index.ts", line: 2, severity: "medium" as const, evidence: '"/search?q=" + q' };

/** A saved workflow that hands its args to the bundled audit. */
const DEEP_AUDIT = `export const meta = { name: "deep", description: "The bundled audit, started from a saved workflow" };
log("starting the bundled audit");
return await workflow("audit", args);
`;

const SAVED_AUDIT = `export const meta = { name: "audit", description: "This repository's own audit" };
log("the saved audit ran");
return { findings: [], unverified: [], refuted: 0 };
`;

describe("workflows by name (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  let model: AuditModel;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<AppHarness> {
    app = await startHarness(options);
    model = auditModel();
    model.findings = { "src/search": [QUERY_UNENCODED] };
    app.api.handle(model.handler);
    return app;
  }

  async function comment(name: string, id: string, body?: string): Promise<void> {
    const payload = JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8")) as { comment: { body: string }; repository: { clone_url: string } };
    payload.repository.clone_url = `file://${app!.bare}`;
    if (body !== undefined) payload.comment.body = body;
    await app!.probot.receive({ id, name: "issue_comment", payload } as never);
    await app!.idle();
  }

  it("runs the bundled audit by name with its JSON args when the repository saved none of that name", E2E, async () => {
    const { services, github, api } = await start();
    await comment("issue_comment.created.run-bundled-workflow", "delivery-bundled");

    const run = await services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "workflow", workflow: "audit", task: null, args: { problem: "URLs built by string concatenation" } });
    expect(run?.script).toBe((await readBundledWorkflow("audit"))?.source);
    expect(run?.plan).toMatchObject({ source: "saved-workflow", filename: "workflows/audit.js" });
    // The repository was asked first, in both places a saved workflow can live, at the base commit.
    expect(github.callsTo("GET", new RegExp(`/contents/\\.claude%2Fworkflows%2Faudit\\.js\\?ref=${run?.baseSha}$`))).toHaveLength(1);
    expect(github.callsTo("GET", new RegExp(`/contents/\\.github%2Fdynflow%2Fworkflows%2Faudit\\.js\\?ref=${run?.baseSha}$`))).toHaveLength(1);
    // The workflow's own agents ran (finders, then the finding's refuters); no planner was asked.
    expect(model.audited).toEqual(expect.arrayContaining(["src/billing", "src/search"]));
    expect(api.requests.filter((request) => JSON.stringify(request.body.system ?? "").includes("You are a refuter agent"))).toHaveLength(2);
    expect(api.requests.some((request) => JSON.stringify(request.body.system ?? "").includes("You are dynflow's planner"))).toBe(false);
    // A read-only workflow changes nothing: no pull request.
    expect(github.pulls).toEqual([]);
    expect(github.statusComment("r-1")?.body).toContain("no pull request was opened");
  });

  it("runs the repository's saved workflow instead of the bundled one of the same name", E2E, async () => {
    const { services, api } = await start({ files: { ".claude/workflows/audit.js": SAVED_AUDIT } });
    await comment("issue_comment.created.run-bundled-workflow", "delivery-saved");

    const run = await services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "workflow", workflow: "audit", script: SAVED_AUDIT, plan: { filename: ".claude/workflows/audit.js" } });
    expect(api.requests.filter((request) => request.path.startsWith("/v1/messages"))).toEqual([]);
  });

  it("resolves workflow(\"audit\") inside a saved workflow to the bundled audit, for the estimate and the run", E2E, async () => {
    const config = `audits:\n  - name: deep-audit\n    cron: "@daily"\n    workflow: deep\n    args: { problem: "URLs built by string concatenation" }\n`;
    const { services, github } = await start({ config, files: { ".claude/workflows/deep.js": DEEP_AUDIT } });
    await comment("issue_comment.created.audit", "delivery-deep", "/dynflow audit deep-audit");

    const run = await services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "audit", workflow: "deep-audit", script: DEEP_AUDIT, plan: { filename: ".claude/workflows/deep.js" } });
    // The estimate ran the nested audit too: one finder per module, refuters for what the simulated finders found.
    expect((run?.plan as { estimate: { agents: number; status: string } }).estimate).toMatchObject({ status: "ok" });
    expect((run?.plan as { estimate: { agents: number } }).estimate.agents).toBeGreaterThanOrEqual(2);
    // The nested audit's result is the saved workflow's result, so it reaches the issue.
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.title).toBe("dynflow audit deep-audit: 1 finding (1 new)");
    expect(github.issues[0]?.body).toContain(QUERY_UNENCODED.title);
  });
});

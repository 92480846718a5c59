/**
 * `/dynflow audit <name>` end to end: Probot receives the comment, the audit
 * of `.github/dynflow.yml` runs the bundled audit workflow with real agents
 * (fake model, real SDK) over a real clone, and what survives refutation
 * lands in one issue, opened, then updated, then closed, run after run.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, priceFor } from "../../src/agents/model/index.js";
import { auditMarker } from "../../src/audit/index.js";
import { readBundledWorkflow } from "../../src/workflows/index.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";
import { AUDIT_CONFIG, auditModel, type AuditModel, type PlantedFinding } from "./audit-model.js";

const E2E = { timeout: 90_000 };

const INVOICE_URL: PlantedFinding = {
  title: "Invoice path concatenated into the URL",
  path: "src/billing/index.ts",
  line: 2,
  severity: "high",
  evidence: 'fetchJson("/billing/invoices") is built by hand',
};
const TOKEN_LOGGED: PlantedFinding = { title: "Session token written to the log", path: "src/billing/index.ts", line: 1, severity: "low", evidence: "console.log(token)" };
const QUERY_UNENCODED: PlantedFinding = {
  title: "Search query not encoded",
  path: "src/search/index.ts",
  line: 2,
  severity: "medium",
  evidence: '"/search?q=" + q puts the raw query into the URL',
};
const CACHE_KEY: PlantedFinding = { title: "Search URL reused as a cache key", path: "src/search/index.ts", line: 2, severity: "low", evidence: "the URL is the key" };

/** The `audit` fixture with another comment id and body, cloning from the harness's remote. */
function auditComment(app: AppHarness, commentId: number, body: string): Record<string, unknown> {
  const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.audit.json", import.meta.url), "utf8")) as {
    comment: { id: number; body: string; html_url: string };
    repository: { clone_url: string };
  };
  payload.comment.id = commentId;
  payload.comment.body = body;
  payload.comment.html_url = `https://github.com/acme/widgets/issues/42#issuecomment-${commentId}`;
  payload.repository.clone_url = `file://${app.bare}`;
  return payload as unknown as Record<string, unknown>;
}

async function comment(app: AppHarness, commentId: number, body: string): Promise<void> {
  await app.probot.receive({ id: `delivery-${commentId}`, name: "issue_comment", payload: auditComment(app, commentId, body) } as never);
  await app.idle();
}

describe("/dynflow audit <name> (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  let model: AuditModel;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(): Promise<AppHarness> {
    app = await startHarness({ config: AUDIT_CONFIG });
    model = auditModel();
    app.api.handle(model.handler);
    return app;
  }

  it("opens the audit issue with the upheld findings, updates the same issue run after run, and closes it when nothing is found", E2E, async () => {
    const { github, services } = await start();

    // Run 1: two findings upheld, one refuted.
    model.findings = { "src/billing": [INVOICE_URL, TOKEN_LOGGED], "src/search": [QUERY_UNENCODED] };
    model.refuted.add(TOKEN_LOGGED.title);
    await comment(app!, 9101, "/dynflow audit nightly");

    const first = await services.store.runs.get("r-1");
    const audited = await app!.git("rev-parse", "main");
    const bundled = await readBundledWorkflow("audit");
    expect(first).toMatchObject({ status: "ok", kind: "audit", workflow: "nightly", issueNumber: 42, commandCommentId: 9101, baseRef: "main", baseSha: audited, prNumber: null });
    expect(first?.args).toEqual({ problem: "URLs built by string concatenation" });
    expect(first?.script).toBe(bundled?.source);
    expect(first?.plan).toMatchObject({ source: "saved-workflow", filename: "workflows/audit.js", approval: { required: false } });
    expect(model.audited).toEqual(expect.arrayContaining(["src/billing", "src/search"]));
    // No pull request and nothing pushed: an audit reports to its issue.
    expect(github.pulls).toEqual([]);
    expect(await app!.pushes()).toEqual([]);

    expect(github.issues).toHaveLength(1);
    const issue = github.issues[0]!;
    expect(issue).toMatchObject({ number: 200, state: "open", labels: [{ name: "dynflow-audit" }] });
    expect(issue.title).toBe("dynflow audit nightly: 2 findings (2 new)");
    expect(issue.body.startsWith(auditMarker("nightly"))).toBe(true);
    expect(issue.body).toContain(INVOICE_URL.title);
    expect(issue.body).toContain(QUERY_UNENCODED.title);
    expect(issue.body).not.toContain(TOKEN_LOGGED.title);
    expect(issue.body).toContain("**1** refuted (not listed)");
    expect(issue.body).toContain(`https://github.com/acme/widgets/blob/${audited}/src/billing/index.ts#L2`);
    expect(issue.body).toMatch(/Cost of this run: <?\$[\d.]+\./);
    expect(first?.result).toMatchObject({ audit: { issue: { number: 200, action: "created" }, findings: 2, refuted: 1, newFindings: 2, fixed: 0 } });
    // The status comment links the issue; the command got its reactions.
    expect(github.statusComment("r-1")?.body).toContain("Opened the audit issue [#200](https://github.com/acme/widgets/issues/200)");
    expect(github.reactions.filter((reaction) => reaction.commentId === 9101).map((reaction) => reaction.content)).toEqual(["eyes", "rocket"]);

    // Run 2, after a push fixed billing: the invoice finding is gone, a new search finding turns up.
    const fixedAt = await app!.commitFile("src/billing/index.ts", 'import { client } from "../client";\nexport const invoices = () => client.get("/billing/invoices");\n');
    model.findings = { "src/search": [QUERY_UNENCODED, CACHE_KEY] };
    await comment(app!, 9102, "/dynflow audit nightly");

    expect(await services.store.runs.get("r-2")).toMatchObject({ status: "ok", kind: "audit", baseSha: fixedAt });
    expect(github.issues).toHaveLength(1);
    expect(issue.state).toBe("open");
    expect(issue.title).toBe("dynflow audit nightly: 2 findings (1 new)");
    const rows = issue.body.split("\n").filter((line) => line.startsWith("| "));
    expect(rows.find((row) => row.includes(CACHE_KEY.title))).toContain("**new**");
    expect(rows.find((row) => row.includes(QUERY_UNENCODED.title))).toContain("existing");
    expect(rows.some((row) => row.includes(INVOICE_URL.title))).toBe(false);
    expect(issue.body).toMatch(new RegExp(`### Fixed since the last run\\n- \\*\\*high\\*\\* ${INVOICE_URL.title.toLowerCase()}`, "i"));
    expect(issue.body).toContain(`/blob/${fixedAt}/`);
    expect(github.callsTo("PATCH", /\/issues\/200$/)).toHaveLength(1);
    expect(github.statusComment("r-2")?.body).toContain("Updated the audit issue [#200](https://github.com/acme/widgets/issues/200): 2 findings (1 new), 0 unverified, 0 refuted, 1 fixed since the last run.");

    // Run 3: nothing found, so the issue is closed with a comment saying at which commit.
    model.findings = {};
    await comment(app!, 9103, "/dynflow audit nightly");

    expect(await services.store.runs.get("r-3")).toMatchObject({ status: "ok", result: { audit: { issue: { number: 200, action: "closed" }, findings: 0, fixed: 2 } } });
    expect(github.issues).toHaveLength(1);
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed", title: "dynflow audit nightly: no findings" });
    expect(github.comments.filter((posted) => posted.issue === 200).map((posted) => posted.body)).toEqual([`No findings survived refutation at ${fixedAt}.`]);
    expect(github.statusComment("r-3")?.body).toContain("No finding survived refutation: closed the audit issue [#200]");
  });

  it("answers an audit name the config does not have with the ones it has, and starts nothing", E2E, async () => {
    const { github, services } = await start();
    await comment(app!, 9104, "/dynflow audit weekly");

    expect(await services.store.runs.listByStatus(["queued", "running", "ok", "error"])).toEqual([]);
    const replies = github.appComments().map((posted) => posted.body);
    expect(replies).toEqual(["**dynflow did not start:** `.github/dynflow.yml` has no audit `weekly`. Its audits: `nightly`, `cheap`."]);
  });

  it("sends a batch audit's model calls through the Message Batches API, at half the price, and shows the saving", E2E, async () => {
    const { github, services, api } = await start();
    model.findings = { "src/search": [QUERY_UNENCODED] };
    await comment(app!, 9105, "/dynflow audit cheap");

    const run = await services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "audit", workflow: "cheap", args: "URLs built by string concatenation", plan: { batch: true } });
    // The audit's budget, not the repository's (none).
    expect(run?.limits).toMatchObject({ config: { budget: { usd: 5 } } });

    // Every model call came in a batch; none went to the Messages API directly.
    const batches = api.requests.filter((request) => request.path === "/v1/messages/batches");
    expect(batches.length).toBeGreaterThan(0);
    expect(api.requests.filter((request) => request.path === "/v1/messages" && request.batch === undefined)).toEqual([]);
    const batched = api.requests.filter((request) => request.batch !== undefined);
    expect(batched.length).toBe(batches.reduce((sum, request) => sum + (request.body.requests as unknown[]).length, 0));
    // Finders and refuters both: one per module, two per finding.
    expect(batched.length).toBeGreaterThanOrEqual(model.audited.length + 2);

    // What the fake billed at standard prices, request by request; the run paid half of it.
    const standard = batched.reduce((sum, request) => {
      const usage = request.usage!;
      const tokens = { input: usage.input_tokens, output: usage.output_tokens, cacheWrite: usage.cache_creation_input_tokens, cacheRead: usage.cache_read_input_tokens };
      return sum + costOf(tokens, priceFor(request.body.model as string, DEFAULT_PRICES));
    }, 0);
    expect(standard).toBeGreaterThan(0);
    const result = run?.result as { costUsd: number; listCostUsd: number; savedUsd: number; batch: boolean };
    expect(result.batch).toBe(true);
    expect(result.costUsd).toBeCloseTo(standard / 2, 10);
    expect(result.listCostUsd).toBeCloseTo(standard, 10);
    expect(result.savedUsd).toBeCloseTo(standard / 2, 10);
    const issue = github.issues[0]!;
    expect(issue.body).toContain("with batch pricing");
    expect(issue.body).toContain(QUERY_UNENCODED.title);
    expect(github.statusComment("r-1")?.body).toMatch(/Batch pricing: <?\$[\d.]+ instead of <?\$[\d.]+ at standard prices \(<?\$[\d.]+ saved\)\./);
  });
});

import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprintFinding } from "../../src/audit/fingerprint-finding.js";
import { publishAuditIssue, type PublishAuditIssueOptions } from "../../src/audit/publish-audit-issue.js";
import { readAuditResult } from "../../src/audit/read-audit-result.js";
import type { AuditFinding } from "../../src/audit/types.js";
import type { JsonValue } from "../../src/runtime/types.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { API, GHE_API, testOctokit, useNock } from "../github/octokit.js";

useNock();

const SHA1 = "1e2d3c4b5a69788796a5b4c3d2e1f00112233445";
const SHA2 = "9c6f2f1a0e3b4d5c6e7f8091a2b3c4d5e6f70812";
const ISSUES = "/repos/acme/widgets/issues";
const MARKER = "<!-- dynflow:audit name=weekly-security -->";
const key = { owner: "acme", repo: "widgets", audit: "weekly-security" };

const sqlInjection: AuditFinding = { title: "SQL injection in getUser", path: "src/db/users.ts", line: 42, severity: "high", verification: "upheld" };
const secret: AuditFinding = { title: "Hard-coded API key", path: "config/prod.ts", line: 3, severity: "critical", verification: "upheld" };
const xss: AuditFinding = { title: "Reflected XSS in search", path: "src/web/search.ts", line: 10, severity: "medium", verification: "upheld" };

/** What an audit workflow returns; the refuted candidate ("Path traversal in upload") is only counted. */
const workflowResult = (findings: AuditFinding[], unverified: AuditFinding[] = []): JsonValue =>
  JSON.parse(JSON.stringify({ findings, unverified, refuted: 1, audited: { files: 120, batches: 12 } })) as JsonValue;

let store: Store;
beforeEach(async () => {
  store = await openStore({ sqlitePath: ":memory:" });
});
afterEach(async () => {
  await store.close();
});

function publish(result: JsonValue, commit: string, overrides: Partial<PublishAuditIssueOptions> = {}) {
  const { findings, unverified, refuted } = readAuditResult(result);
  return publishAuditIssue({
    octokit: testOctokit(),
    store,
    owner: "acme",
    repo: "widgets",
    auditName: "weekly-security",
    commit,
    findings,
    unverified,
    refuted,
    runUrl: "https://dynflow.acme.test/runs/r-1",
    serverUrl: "https://github.com",
    ...overrides,
  });
}

/** A nock body matcher that keeps what was sent. */
function capture(into: Record<string, unknown>[]) {
  return (body: Record<string, unknown>) => {
    into.push(body);
    return true;
  };
}

const issue = (number: number, state: "open" | "closed", body = MARKER) => ({ number, state, body, html_url: `https://github.com/acme/widgets/issues/${number}` });

describe("publishAuditIssue", () => {
  it("opens one labelled issue the first time, listing only findings that survived refutation", async () => {
    const sent: Record<string, unknown>[] = [];
    const scope = nock(API)
      .get(ISSUES)
      .query({ state: "open", labels: "dynflow-audit", per_page: "100" })
      .reply(200, [])
      .post(ISSUES, capture(sent))
      .reply(201, issue(12, "open"));

    const published = await publish(workflowResult([sqlInjection, secret]), SHA1);
    expect(scope.isDone()).toBe(true);
    expect(published).toEqual({ action: "created", issueNumber: 12, url: "https://github.com/acme/widgets/issues/12", newFindings: 2, fixed: 0 });
    const [created] = sent;
    expect(created).toMatchObject({ title: "dynflow audit weekly-security: 2 findings (2 new)", labels: ["dynflow-audit"] });
    const body = String(created!["body"]);
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain(`| high | SQL injection in getUser | [\`src/db/users.ts:42\`](https://github.com/acme/widgets/blob/${SHA1}/src/db/users.ts#L42) | upheld | **new** |`);
    expect(body).toContain("**1** refuted (not listed)");
    expect(body).not.toContain("Path traversal");
    expect(await store.auditIssues.get(key)).toEqual({ issueNumber: 12, fingerprints: [fingerprintFinding(sqlInjection), fingerprintFinding(secret)] });
  });

  it("updates the same issue on the next run, marking new and existing findings and listing the fixed ones", async () => {
    await store.auditIssues.set(key, { issueNumber: 12, fingerprints: [fingerprintFinding(sqlInjection), fingerprintFinding(secret)] });
    const sent: Record<string, unknown>[] = [];
    const scope = nock(API).get(`${ISSUES}/12`).reply(200, issue(12, "open")).patch(`${ISSUES}/12`, capture(sent)).reply(200, issue(12, "open"));

    // The SQL injection moved down five lines: still the same finding.
    const published = await publish(workflowResult([{ ...sqlInjection, line: 47 }, xss]), SHA2);
    expect(scope.isDone()).toBe(true);
    expect(published).toMatchObject({ action: "updated", issueNumber: 12, newFindings: 1, fixed: 1 });
    const [update] = sent;
    expect(update).not.toHaveProperty("state");
    expect(update!["title"]).toBe("dynflow audit weekly-security: 2 findings (1 new)");
    const body = String(update!["body"]);
    expect(body).toContain(`| high | SQL injection in getUser | [\`src/db/users.ts:47\`](https://github.com/acme/widgets/blob/${SHA2}/src/db/users.ts#L47) | upheld | existing |`);
    expect(body).toContain("| medium | Reflected XSS in search |");
    expect(body).toMatch(/\| Reflected XSS in search \|.*\| \*\*new\*\* \|/);
    expect(body).toContain("### Fixed since the last run\n- **critical** hard coded api key — `config/prod.ts`");
    expect((await store.auditIssues.get(key))?.fingerprints).toEqual([fingerprintFinding(sqlInjection), fingerprintFinding(xss)]);
  });

  it("closes the issue with a comment when nothing survives refutation, and reopens it when findings return", async () => {
    await store.auditIssues.set(key, { issueNumber: 12, fingerprints: [fingerprintFinding(sqlInjection)] });
    const sent: Record<string, unknown>[] = [];
    const closing = nock(API)
      .get(`${ISSUES}/12`)
      .reply(200, issue(12, "open"))
      .patch(`${ISSUES}/12`, capture(sent))
      .reply(200, issue(12, "closed"))
      .post(`${ISSUES}/12/comments`, { body: `No findings survived refutation at ${SHA2}.` })
      .reply(201, { id: 1 });

    expect(await publish(workflowResult([]), SHA2)).toMatchObject({ action: "closed", issueNumber: 12, fixed: 1 });
    expect(closing.isDone()).toBe(true);
    expect(sent[0]).toMatchObject({ state: "closed", state_reason: "completed", title: "dynflow audit weekly-security: no findings" });
    expect(String(sent[0]!["body"])).toContain("- **high** sql injection in getuser — `src/db/users.ts`");
    expect((await store.auditIssues.get(key))?.fingerprints).toEqual([]);

    // Nothing again: a closed issue is left alone.
    const quiet = nock(API).get(`${ISSUES}/12`).reply(200, issue(12, "closed"));
    expect(await publish(workflowResult([]), SHA2)).toMatchObject({ action: "unchanged", issueNumber: 12 });
    expect(quiet.isDone()).toBe(true);

    const reopening = nock(API).get(`${ISSUES}/12`).reply(200, issue(12, "closed")).patch(`${ISSUES}/12`, capture(sent)).reply(200, issue(12, "open"));
    expect(await publish(workflowResult([sqlInjection]), SHA1)).toMatchObject({ action: "reopened", issueNumber: 12, newFindings: 1 });
    expect(reopening.isDone()).toBe(true);
    expect(sent[1]).toMatchObject({ state: "open", title: "dynflow audit weekly-security: 1 finding (1 new)" });
  });

  it("keeps an issue a person closed closed while its findings stay the same, and updates it", async () => {
    await store.auditIssues.set(key, { issueNumber: 12, fingerprints: [fingerprintFinding(secret)] });
    const sent: Record<string, unknown>[] = [];
    const scope = nock(API).get(`${ISSUES}/12`).reply(200, issue(12, "closed")).patch(`${ISSUES}/12`, capture(sent)).reply(200, issue(12, "closed"));
    expect(await publish(workflowResult([secret]), SHA2)).toMatchObject({ action: "updated" });
    expect(scope.isDone()).toBe(true);
    expect(sent[0]).not.toHaveProperty("state");
  });

  it("finds its issue by label and marker when the store lost it, instead of opening a second one", async () => {
    const sent: Record<string, unknown>[] = [];
    const scope = nock(API)
      .get(ISSUES)
      .query({ state: "open", labels: "dynflow-audit", per_page: "100" })
      .reply(200, [
        issue(3, "open", "<!-- dynflow:audit name=nightly-deps -->\n..."),
        { ...issue(4, "open"), pull_request: { url: "https://api.github.com/repos/acme/widgets/pulls/4" } },
        issue(15, "open", `${MARKER}\n## dynflow audit`),
      ])
      .patch(`${ISSUES}/15`, capture(sent))
      .reply(200, issue(15, "open"));
    expect(await publish(workflowResult([secret]), SHA1)).toMatchObject({ action: "updated", issueNumber: 15 });
    expect(scope.isDone()).toBe(true);
    expect(await store.auditIssues.get(key)).toEqual({ issueNumber: 15, fingerprints: [fingerprintFinding(secret)] });
  });

  it("opens a new issue when the recorded one is gone, and opens none when nothing was ever found", async () => {
    await store.auditIssues.set(key, { issueNumber: 12, fingerprints: [fingerprintFinding(secret)] });
    const scope = nock(API)
      .get(`${ISSUES}/12`)
      .reply(404, { message: "Not Found" })
      .get(ISSUES)
      .query(true)
      .reply(200, [])
      .post(ISSUES, (body: { body: string }) => body.body.includes("| critical | Hard-coded API key |") && body.body.includes("**new**"))
      .reply(201, issue(20, "open"));
    expect(await publish(workflowResult([secret]), SHA1)).toMatchObject({ action: "created", issueNumber: 20, newFindings: 1 });
    expect(scope.isDone()).toBe(true);

    await store.close();
    store = await openStore({ sqlitePath: ":memory:" });
    const search = nock(API).get(ISSUES).query(true).reply(200, []);
    expect(await publish(workflowResult([]), SHA1)).toEqual({ action: "unchanged", issueNumber: null, url: null, newFindings: 0, fixed: 0 });
    expect(search.isDone()).toBe(true);
    expect(await store.auditIssues.get(key)).toBeUndefined();
  });

  it("keeps an issue open for unverified findings alone, and works against GitHub Enterprise Server", async () => {
    const sent: Record<string, unknown>[] = [];
    const scope = nock(GHE_API).get(ISSUES).query(true).reply(200, []).post(ISSUES, capture(sent)).reply(201, issue(7, "open"));
    const published = await publish(workflowResult([], [xss]), SHA1, { octokit: testOctokit(GHE_API), serverUrl: "https://ghe.acme.test" });
    expect(scope.isDone()).toBe(true);
    expect(published).toMatchObject({ action: "created", issueNumber: 7 });
    expect(sent[0]!["title"]).toBe("dynflow audit weekly-security: 1 unverified finding");
    const body = String(sent[0]!["body"]);
    expect(body).toContain("### Unverified");
    expect(body).toContain(`(https://ghe.acme.test/acme/widgets/blob/${SHA1}/src/web/search.ts#L10)`);
  });
});

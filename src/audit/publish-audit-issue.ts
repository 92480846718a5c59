/**
 * Publishes an audit run to the audit's one issue: created the first time,
 * updated on later runs, reopened when findings come back after it was
 * closed, and closed when a run finds nothing. The issue is found through the
 * store, or, when the store lost it (a crash between creating the issue and
 * recording it), by its label and hidden marker, so publishing twice never
 * opens a second issue.
 */
import pino, { type Logger } from "pino";
import type { Store } from "../store/index.js";
import { httpStatusOf, type GitHubClient } from "../github/github-client.js";
import { AUDIT_LABEL, isAuditIssueOf } from "./audit-marker.js";
import { diffFindings } from "./diff-findings.js";
import { renderAuditIssue, type AuditSpend } from "./render-audit-issue.js";
import type { AuditFinding } from "./types.js";

export interface PublishAuditIssueOptions {
  octokit: GitHubClient;
  store: Pick<Store, "auditIssues">;
  owner: string;
  repo: string;
  auditName: string;
  /** Full id of the audited commit. */
  commit: string;
  /** Findings that survived refutation (`readAuditResult`). Refuted ones are never passed here. */
  findings: readonly AuditFinding[];
  unverified?: readonly AuditFinding[];
  refuted?: number;
  runUrl?: string;
  /** The GitHub server's web root, e.g. `https://github.com` (from the payload's `repository.html_url`). */
  serverUrl: string;
  /** The run's cost, shown in the issue (with the saving when it used batch pricing). */
  spend?: AuditSpend;
  log?: Pick<Logger, "info">;
}

export type AuditIssueAction = "created" | "updated" | "reopened" | "closed" | "unchanged";

export interface PublishedAuditIssue {
  action: AuditIssueAction;
  /** Null when there is no issue (nothing was ever found). */
  issueNumber: number | null;
  url: string | null;
  /** Findings not reported before. */
  newFindings: number;
  /** Findings reported before and not found now. */
  fixed: number;
}

interface IssueData {
  number: number;
  state: string;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

/**
 * Brings the audit's issue up to date with one run and records the run's
 * fingerprints. A run with neither findings nor unverified ones closes an
 * open issue with a comment; with no issue yet, it opens none. A closed
 * issue is reopened when a finding it did not report turns up. Throws
 * `AuditIssueInputError` for inputs that cannot be rendered, and GitHub's
 * errors as they come (nothing is recorded then, so a retry starts over).
 */
export async function publishAuditIssue(options: PublishAuditIssueOptions): Promise<PublishedAuditIssue> {
  const { octokit, store, owner, repo, auditName } = options;
  const log = options.log ?? pino({ level: "silent" });
  const key = { owner, repo, audit: auditName };
  const unverified = options.unverified ?? [];

  const record = await store.auditIssues.get(key);
  const known = record ? await getIssue(octokit, owner, repo, record.issueNumber) : null;
  const issue = known ?? (await findByMarker(octokit, owner, repo, auditName));
  // Fingerprints describe what the issue shows; a different issue showed none of them.
  const previous = record && issue && record.issueNumber === issue.number ? record.fingerprints : [];
  const diff = diffFindings(previous, options.findings, unverified);
  const { title, body } = renderAuditIssue({
    auditName,
    repository: { owner, repo },
    commit: options.commit,
    findings: diff.findings,
    unverified,
    fixed: diff.fixed,
    refuted: options.refuted,
    runUrl: options.runUrl,
    serverUrl: options.serverUrl,
    spend: options.spend,
  });
  const summary = { newFindings: diff.findings.filter((finding) => finding.status === "new").length, fixed: diff.fixed.length };
  const somethingFound = options.findings.length + unverified.length > 0;

  if (issue === null) {
    if (!somethingFound) return { action: "unchanged", issueNumber: null, url: null, ...summary };
    const { data } = await octokit.rest.issues.create({ owner, repo, title, body, labels: [AUDIT_LABEL] });
    await store.auditIssues.set(key, { issueNumber: data.number, fingerprints: diff.fingerprints });
    log.info({ owner, repo, audit: auditName, issue: data.number }, "audit issue opened");
    return { action: "created", issueNumber: data.number, url: data.html_url, ...summary };
  }

  const issue_number = issue.number;
  let action: AuditIssueAction;
  if (somethingFound) {
    // Reopen when something not in the last report turns up (after dynflow closed the issue, that is
    // everything); a person who closed it over findings that are still the same is not overruled.
    const reported = new Set(previous);
    const reopen = issue.state !== "open" && diff.fingerprints.some((fingerprint) => !reported.has(fingerprint));
    await octokit.rest.issues.update({ owner, repo, issue_number, title, body, ...(reopen ? { state: "open" as const } : {}) });
    action = reopen ? "reopened" : "updated";
  } else if (issue.state === "open") {
    await octokit.rest.issues.update({ owner, repo, issue_number, title, body, state: "closed", state_reason: "completed" });
    await octokit.rest.issues.createComment({ owner, repo, issue_number, body: `No findings survived refutation at ${options.commit.toLowerCase()}.` });
    action = "closed";
  } else {
    action = "unchanged";
  }
  await store.auditIssues.set(key, { issueNumber: issue_number, fingerprints: diff.fingerprints });
  log.info({ owner, repo, audit: auditName, issue: issue_number, action }, "audit issue published");
  return { action, issueNumber: issue_number, url: issue.html_url, ...summary };
}

/** The issue, or null when it is gone (deleted, transferred) or is a pull request. */
async function getIssue(octokit: GitHubClient, owner: string, repo: string, issueNumber: number): Promise<IssueData | null> {
  try {
    const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: issueNumber });
    return data.pull_request ? null : data;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404 || status === 410 || status === 301) return null;
    throw error;
  }
}

/** The oldest open issue with the audit label and the audit's marker. */
async function findByMarker(octokit: GitHubClient, owner: string, repo: string, auditName: string): Promise<IssueData | null> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "open", labels: AUDIT_LABEL, per_page: 100 });
  const ours = issues.filter((issue) => !issue.pull_request && isAuditIssueOf(issue.body, auditName)).sort((a, b) => a.number - b.number);
  return ours[0] ?? null;
}

/**
 * How an audit's issue is recognised: a label, and a hidden marker naming the
 * audit in its body, so the issue is found again (and updated, not
 * duplicated) even when the store lost its number.
 */
import { WORKFLOW_NAME } from "../commands/parse-command.js";
import { AuditIssueInputError } from "./errors.js";

/** The label of every audit issue. */
export const AUDIT_LABEL = "dynflow-audit";

/** `<!-- dynflow:audit name=<name> -->`; throws `AuditIssueInputError` for a name that could break out of the comment. */
export function auditMarker(auditName: string): string {
  if (!WORKFLOW_NAME.test(auditName)) throw new AuditIssueInputError("auditName", "an audit name (lowercase letters, digits, - and _)", auditName);
  return `<!-- dynflow:audit name=${auditName} -->`;
}

/** Whether `body` carries the marker of `auditName` on a line of its own. */
export function isAuditIssueOf(body: string | null | undefined, auditName: string): boolean {
  if (typeof body !== "string") return false;
  const marker = auditMarker(auditName);
  return body.split(/\r?\n/).some((line) => line.trim() === marker);
}

/**
 * Reads the result of an audit workflow (`workflows/audit.js`). Findings are
 * model output: malformed ones are dropped and counted, never trusted. A
 * result that is not an audit result at all throws, so a failed run can
 * never be mistaken for "nothing found" (which closes the issue).
 */
import { isObject, type JsonValue } from "../runtime/types.js";
import { AuditResultError } from "./errors.js";
import type { AuditFinding } from "./types.js";

export interface AuditResult {
  /** Findings that survived refutation. */
  findings: AuditFinding[];
  /** Findings the refuters could neither uphold nor refute. */
  unverified: AuditFinding[];
  /** How many findings were refuted (and are reported nowhere). */
  refuted: number;
  /** Entries dropped for lacking a title or a path. */
  dropped: number;
}


/** The findings of an audit run's result; throws `AuditResultError` unless it has a `findings` list. */
export function readAuditResult(result: JsonValue | undefined): AuditResult {
  if (!isObject(result)) throw new AuditResultError("it is not an object");
  if (!Array.isArray(result["findings"])) throw new AuditResultError("it has no findings list");
  const unverifiedList = result["unverified"] ?? [];
  if (!Array.isArray(unverifiedList)) throw new AuditResultError("its unverified entry is not a list");
  let dropped = 0;
  const read = (entries: JsonValue[]) =>
    entries.flatMap((entry) => {
      const finding = toFinding(entry);
      if (finding === null) dropped++;
      return finding === null ? [] : [finding];
    });
  const findings = read(result["findings"]);
  const unverified = read(unverifiedList);
  const refuted = result["refuted"];
  return { findings, unverified, refuted: typeof refuted === "number" && Number.isSafeInteger(refuted) && refuted > 0 ? refuted : 0, dropped };
}

function toFinding(entry: JsonValue): AuditFinding | null {
  if (!isObject(entry)) return null;
  const { title, path, line, severity, evidence, verification } = entry;
  if (typeof title !== "string" || title.trim() === "" || typeof path !== "string" || path.trim() === "") return null;
  const finding: AuditFinding = { title, path, severity: typeof severity === "string" ? severity : "unknown" };
  finding.line = typeof line === "number" && Number.isSafeInteger(line) && line > 0 ? line : null;
  if (typeof evidence === "string") finding.evidence = evidence;
  if (verification !== undefined) finding.verification = verification;
  return finding;
}


/** What changed between an audit's previous report and this run's findings. Pure. */
import { fingerprintFinding } from "./fingerprint-finding.js";
import type { AuditFinding, MarkedFinding } from "./types.js";

export interface FindingsDiff {
  /** This run's findings in their order, each marked new or existing. */
  findings: MarkedFinding[];
  /** Fingerprints reported before and found by no finding now, in their previous order. */
  fixed: string[];
  /** The fingerprints to remember for the next run: every finding still reported, once each. */
  fingerprints: string[];
}

/**
 * Marks each finding `new` (its fingerprint was not reported before) or
 * `existing`. `stillReported` are findings that are not verified this time
 * (neither upheld nor refuted): they are not "fixed", and are remembered, so
 * one that is verified again next run is not announced as new.
 */
export function diffFindings(
  previousFingerprints: readonly string[],
  findings: readonly AuditFinding[],
  stillReported: readonly AuditFinding[] = [],
): FindingsDiff {
  const previous = new Set(previousFingerprints);
  const marked = findings.map((finding): MarkedFinding => {
    const fingerprint = fingerprintFinding(finding);
    return { ...finding, fingerprint, status: previous.has(fingerprint) ? "existing" : "new" };
  });
  const current = [...new Set([...marked.map((finding) => finding.fingerprint), ...stillReported.map(fingerprintFinding)])];
  const present = new Set(current);
  const fixed = [...new Set(previousFingerprints)].filter((fingerprint) => !present.has(fingerprint));
  return { findings: marked, fixed, fingerprints: current };
}

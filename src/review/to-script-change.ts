/**
 * Builds the `Change` value a script receives from a worker's agent record.
 */
import { isObject, type AgentRecord } from "../runtime/types.js";
import type { Line, Round } from "./ledger-entries.js";
import type { Change } from "./types.js";

/** Longest summary handed to the script; the whole result is in `result`. */
const SUMMARY_MAX = 2_000;

export function toScriptChange(line: Line, round: Round, record: AgentRecord, baseCommit: string): Change {
  const ref = record.change;
  return {
    id: round.changeId,
    line: line.id,
    label: line.label,
    round: round.round,
    summary: summaryOf(record),
    result: record.output,
    branch: ref?.branch ?? null,
    commit: ref?.commit ?? null,
    base: ref?.base ?? baseCommit,
    files: ref ? ref.files.map((file) => ({ ...file })) : [],
    additions: ref?.additions ?? 0,
    deletions: ref?.deletions ?? 0,
    incomplete: ref?.incomplete ?? false,
  };
}

/**
 * The worker's own account of what it did: the runner's `meta.summary`, else
 * a `summary` field of its object result, else its text result.
 */
export function summaryOf(record: AgentRecord | null): string {
  const output = record?.output;
  const candidates = [
    record?.meta.summary,
    isObject(output) ? output.summary : undefined,
    output,
  ];
  const text = candidates.find((c): c is string => typeof c === "string" && c.trim() !== "");
  if (text === undefined) return "";
  const trimmed = text.trim();
  return trimmed.length > SUMMARY_MAX ? `${trimmed.slice(0, SUMMARY_MAX - 1)}…` : trimmed;
}

/**
 * Finds the run's agent record of each agent call the review extension made.
 *
 * The extension gets a record back only from agents that finished; for one
 * that failed or never started it gets `null` or an error. Their records (with
 * the spend, the error and any partial change) are still in the run outcome,
 * in call order, so they are found by position: between the records of the
 * neighbouring calls whose ids are known, the first unclaimed record with the
 * same label and role in the state the call ended in.
 */
import type { AgentRecord } from "../runtime/types.js";

/** What the extension knows about one of its agent calls. */
export interface TrackedCall {
  label: string;
  role: AgentRecord["role"];
  /** `finished`: resolved with a record; `failed`: resolved `null`; `stopped`: rejected; `pending`: never settled. */
  state: "pending" | "finished" | "failed" | "stopped";
  /** Id of the record it resolved with (finished calls only). */
  agentId: string | null;
}

/** The record of each call (same order), or null when it has none (a call refused before it was queued). */
export function matchRecords(calls: readonly TrackedCall[], records: readonly AgentRecord[]): (AgentRecord | null)[] {
  const indexOf = new Map(records.map((record, index) => [record.id, index]));
  const anchors = calls.map((call) => (call.agentId !== null ? (indexOf.get(call.agentId) ?? -1) : -1));
  const claimed = new Set(anchors.filter((index) => index >= 0));
  const matched: (AgentRecord | null)[] = anchors.map((index) => (index >= 0 ? (records[index] as AgentRecord) : null));

  let floor = 0;
  calls.forEach((call, i) => {
    const anchor = anchors[i] as number;
    if (anchor >= 0) {
      floor = anchor + 1;
      return;
    }
    const ceiling = nextAnchor(anchors, i, records.length);
    for (let index = floor; index < ceiling; index++) {
      const record = records[index] as AgentRecord;
      if (claimed.has(index) || record.label !== call.label || record.role !== call.role || !fits(call, record)) continue;
      claimed.add(index);
      matched[i] = record;
      floor = index + 1;
      break;
    }
  });
  return matched;
}

function nextAnchor(anchors: readonly number[], from: number, end: number): number {
  for (let i = from + 1; i < anchors.length; i++) if ((anchors[i] as number) >= 0) return anchors[i] as number;
  return end;
}

/** A failed call's record ran (attempts ≥ 1); a stopped or pending call's record never started. */
function fits(call: TrackedCall, record: AgentRecord): boolean {
  if (record.status !== "failed") return false;
  return call.state === "failed" ? record.attempts >= 1 : record.attempts === 0;
}

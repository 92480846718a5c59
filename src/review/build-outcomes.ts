/**
 * Turns the ledger into how each line of work ended and which changes to
 * merge. Pure: the same ledger and run outcome always give the same result.
 *
 * Merged: accepted, unverified and unreviewed changes (the pull request is a
 * draft when anything unverified or unreviewed is in it). Not merged:
 * refuted, discarded, failed and capped lines, and lines that changed nothing.
 * A worker that changed nothing claims that nothing needed changing: that
 * claim is reviewed like a change, and the line is `unchanged` (converged)
 * only when refuters upheld it or the script accepted it.
 * A finished worker's change whose review a cap, the budget or a cancel cut
 * short is kept as unreviewed: finished work is never dropped.
 */
import type { WorkerOutcome } from "../agents/types.js";
import type { ChangeToMerge } from "../reconcile/types.js";
import { addUsage, ZERO_USAGE, type AgentRecord, type ChangeRef, type RunOutcome, type TokenUsage } from "../runtime/types.js";
import type { ClaimEntry, LedgerCall, Line, ReviewEntry, Round } from "./ledger-entries.js";
import { summaryOf } from "./to-script-change.js";
import type { ClaimOutcome, LineOutcome, LineStatus } from "./types.js";

export interface ReviewOutcomes {
  /** Every line, including lines that changed nothing (`unchanged`). */
  lines: LineOutcome[];
  /** The lines the report lists as workers (every line but `unchanged` ones). */
  workers: WorkerOutcome[];
  /** Changes to merge, in the order their lines were created. Labels are unique. */
  toMerge: ChangeToMerge[];
  /** Every `refute({ claim })`, in call order, with its verdict. */
  claims: ClaimOutcome[];
}

/** Longest failure reason kept for a plain agent() call. */
const REASON_MAX = 2_000;

const MERGED: ReadonlySet<LineStatus> = new Set(["accepted", "unverified", "unreviewed"]);

interface Sorted {
  order: number;
  seq: number;
  outcome: LineOutcome;
}

export function buildOutcomes(
  lines: readonly Line[],
  calls: readonly LedgerCall[],
  run: Pick<RunOutcome, "agents" | "error">,
  claims: readonly ClaimEntry[] = [],
): ReviewOutcomes {
  const position = new Map(run.agents.map((record, index) => [record.id, index]));
  const stopped = run.error?.message ?? "the run ended before this agent finished";

  const sorted: Sorted[] = lines.map((line) => {
    const first = line.rounds[0]?.worker.record;
    return { order: first ? (position.get(first.id) as number) : Infinity, seq: line.seq, outcome: lineOutcome(line, stopped) };
  });
  const owned = new Set(calls.flatMap((call) => (call.record ? [call.record.id] : [])));
  run.agents.forEach((record, index) => {
    // A plain agent() call is a line when it changed files, or when it failed: its reason belongs in the report.
    if (owned.has(record.id) || (record.change === null && record.status !== "failed")) return;
    sorted.push({ order: index, seq: Infinity, outcome: plainOutcome(record) });
  });
  sorted.sort((a, b) => a.order - b.order || a.seq - b.seq);

  const outcomes = uniqueLabels(sorted.map((entry) => entry.outcome));
  const merged = new Map(lines.map((line) => [line.id, mergedChange(line)]));
  const toMerge: ChangeToMerge[] = [];
  for (const outcome of outcomes) {
    if (!MERGED.has(outcome.status)) continue;
    const change = merged.has(outcome.line) ? merged.get(outcome.line) : outcome.change;
    if (change) toMerge.push({ label: outcome.label, change });
  }
  const workers = outcomes.filter((o): o is LineOutcome & WorkerOutcome => o.status !== "unchanged").map(toWorkerOutcome);
  return { lines: outcomes, workers, toMerge, claims: claims.map((claim) => claimOutcome(claim, stopped)) };
}

function claimOutcome(entry: ClaimEntry, stopped: string): ClaimOutcome {
  const { review } = entry;
  const evidence = review.state === "done" ? review.evidence : `no verdict: ${review.refuters.find((call) => call.stopReason !== null)?.stopReason ?? stopped}`;
  return { label: entry.label, claim: entry.claim, verdict: review.state === "done" ? review.verdict : null, evidence, judged: entry.judged };
}

function lineOutcome(line: Line, stopped: string): LineOutcome {
  let usage: TokenUsage = { ...ZERO_USAGE };
  let costUsd = 0;
  for (const round of line.rounds) {
    for (const call of [round.worker, ...round.reviews.flatMap((review) => review.refuters)]) {
      const found = call.record;
      if (found) {
        usage = addUsage(usage, found.usage);
        costUsd += found.costUsd;
      }
    }
  }
  const verdicts = line.rounds.flatMap((round) => round.reviews.flatMap((review) => (review.verdict ? [review.verdict] : [])));
  const decided = line.decision ? line.rounds.find((round) => round.changeId === line.decision?.changeId) : undefined;
  const shown = decided ?? line.rounds.at(-1);
  const change = shown ? (shown.worker.record?.change ?? null) : null;
  const base = { line: line.id, label: line.label, rounds: line.rounds.length, verdicts, change, usage, costUsd };
  const { status, reason } = statusOf(line, shown, stopped);
  return reason === undefined ? { ...base, status } : { ...base, status, reason };
}

function statusOf(
  line: Line,
  round: Round | undefined,
  stopped: string,
): { status: LineStatus; reason?: string } {
  if (line.decision?.kind === "discard") return { status: "discarded", reason: line.decision.reason ?? "discarded by the plan script" };
  if (!round) return { status: "capped", reason: stopped };
  const worker = round.worker;
  if (worker.state === "pending" || worker.state === "stopped") return { status: "capped", reason: worker.stopReason ?? stopped };
  if (worker.state === "failed") return { status: "failed", reason: worker.record?.error ?? "the agent failed" };
  if (!worker.record?.change) return noChangeStatus(line, round, stopped);
  if (line.decision?.kind === "accept") {
    const last = round.reviews.at(-1);
    const overruled = last?.verdict === "refuted" ? `accepted by the plan script although refuted: ${last.evidence}` : undefined;
    return { status: "accepted", reason: overruled ?? refutationHistory(line) };
  }
  const review = round.reviews.at(-1);
  if (!review) return { status: "unreviewed", reason: "no refuter reviewed this change" };
  if (review.state !== "done") {
    // The worker's change is finished work: keep it (merged, unreviewed, the pull request a draft)
    // unless a refuter that did finish already refuted it.
    return cutShort(review, stopped, "kept without a verdict");
  }
  if (review.verdict === "upheld") return { status: "accepted", reason: refutationHistory(line) };
  return { status: review.verdict === "refuted" ? "refuted" : "unverified", reason: review.evidence };
}

/**
 * A worker that changed nothing claims nothing needed changing. Converged
 * (`unchanged`) only when refuters upheld that claim or the script accepted
 * it; refuted or unverified like a change otherwise, and `unreviewed` when no
 * refuter checked it (nothing to merge either way).
 */
function noChangeStatus(line: Line, round: Round, stopped: string): { status: LineStatus; reason?: string } {
  const said = summaryOf(round.worker.record) || "the worker changed no file";
  if (line.decision?.kind === "accept") return { status: "unchanged", reason: said };
  const review = round.reviews.at(-1);
  if (!review) return { status: "unreviewed", reason: `reported that nothing needed changing; no refuter checked that claim. The worker said: ${said}` };
  if (review.state !== "done") return cutShort(review, stopped, "its claim that nothing needed changing is unchecked");
  if (review.verdict === "upheld") return { status: "unchanged", reason: said };
  return { status: review.verdict === "refuted" ? "refuted" : "unverified", reason: review.evidence };
}

/** A review the run stopped: refuted when a refuter that finished refuted, else unreviewed. */
function cutShort(review: ReviewEntry, stopped: string, kept: string): { status: LineStatus; reason: string } {
  const why = review.refuters.find((call) => call.stopReason !== null)?.stopReason ?? stopped;
  const refutation = review.refuters.map((call) => refutationOf(call.record)).find((evidence) => evidence !== null);
  if (refutation) return { status: "refuted", reason: refutation };
  return { status: "unreviewed", reason: `the run stopped before its review finished (${why}); ${kept}` };
}

/** The evidence of a finished refuter that refuted, else null. */
function refutationOf(record: AgentRecord | null): string | null {
  const output = record?.status === "finished" || record?.status === "cached" ? record.output : null;
  if (output === null || typeof output !== "object" || Array.isArray(output)) return null;
  const { verdict, evidence } = output as { verdict?: unknown; evidence?: unknown };
  return verdict === "refuted" ? (typeof evidence === "string" ? evidence : "refuted") : null;
}

/** For a line that converged after refutations: what each refuted round was refuted for. */
function refutationHistory(line: Line): string | undefined {
  const refuted = line.rounds.flatMap((round) =>
    round.reviews.filter((review) => review.verdict === "refuted").map((review) => `round ${round.round} was refuted:${review.evidence.includes("\n") ? "\n" : " "}${review.evidence}`),
  );
  return refuted.length > 0 ? refuted.join("\n") : undefined;
}

/** The change a line merges: the one the script accepted, else its last round's. */
function mergedChange(line: Line): ChangeRef | null {
  const round = line.decision ? line.rounds.find((r) => r.changeId === line.decision?.changeId) : line.rounds.at(-1);
  return round?.worker.record?.change ?? null;
}

/** A plain `agent()` call that changed files (a line nobody reviewed), or that failed. */
function plainOutcome(record: AgentRecord): LineOutcome {
  const failed = record.status === "failed";
  return {
    line: record.id,
    label: record.label,
    status: failed ? "failed" : "unreviewed",
    rounds: 1,
    verdicts: [],
    change: record.change,
    usage: record.usage,
    costUsd: record.costUsd,
    reason: failed ? failureReason(record) : "changed files through agent(); no refuter reviewed it",
  };
}

/** Why a plain agent failed, bounded: the error can quote model text, and the report shows it as given. */
function failureReason(record: AgentRecord): string {
  const why = record.error?.trim() || "the agent failed";
  return why.length > REASON_MAX ? `${why.slice(0, REASON_MAX - 1)}…` : why;
}

/** Makes labels unique (`label (2)`, ...) so merge results and report rows name one line each. */
function uniqueLabels(outcomes: LineOutcome[]): LineOutcome[] {
  const seen = new Map<string, number>();
  const taken = new Set(outcomes.map((o) => o.label));
  return outcomes.map((outcome) => {
    const count = (seen.get(outcome.label) ?? 0) + 1;
    seen.set(outcome.label, count);
    if (count === 1) return outcome;
    let n = count;
    while (taken.has(`${outcome.label} (${n})`)) n++;
    const label = `${outcome.label} (${n})`;
    taken.add(label);
    return { ...outcome, label };
  });
}

function toWorkerOutcome(outcome: LineOutcome & WorkerOutcome): WorkerOutcome {
  const { line: _line, ...worker } = outcome;
  return worker;
}

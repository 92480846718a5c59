/**
 * The review extension's bookkeeping: every line of work, its rounds, the
 * reviews of each round's change, the agent calls behind them and the
 * script's decisions. Pure state: replaying a script rebuilds it exactly,
 * because agent results come from the journal and decisions are plain calls.
 */
import type { AgentRecord, RunOutcome } from "../runtime/types.js";
import { buildOutcomes, type ReviewOutcomes } from "./build-outcomes.js";
import type { ClaimEntry, LedgerCall, Line, Round } from "./ledger-entries.js";

/** Bookkeeping of one run's review extension. Read it with `outcomes` once the run has ended. */
export class ReviewLedger {
  private readonly lineList: Line[] = [];
  private readonly callList: LedgerCall[] = [];
  private readonly rounds = new Map<string, { line: Line; round: Round }>();
  private readonly claimList: ClaimEntry[] = [];

  /** Every line, in creation order. */
  get lines(): readonly Line[] {
    return this.lineList;
  }

  /** Every agent call the extension made, in call order. */
  get calls(): readonly LedgerCall[] {
    return this.callList;
  }

  /** Every `refute({ claim })`, in call order. */
  get claims(): readonly ClaimEntry[] {
    return this.claimList;
  }

  addClaim(claim: ClaimEntry): void {
    this.claimList.push(claim);
  }

  openLine(kind: Line["kind"], label: string, task: string): Line {
    const line: Line = { id: `w${this.lineList.length + 1}`, seq: this.lineList.length, kind, label, task, rounds: [], decision: null };
    this.lineList.push(line);
    return line;
  }

  /** Registers an agent call about to be made; settle it with `settle`/`stop`. */
  track(label: string, role: AgentRecord["role"]): LedgerCall {
    const call: LedgerCall = { label, role, state: "pending", record: null, stopReason: null };
    this.callList.push(call);
    return call;
  }

  /** Links a call to its run record once the runtime queued it. */
  attach(call: LedgerCall, record: AgentRecord): void {
    call.record = record;
  }

  settle(call: LedgerCall, record: AgentRecord | null): void {
    call.state = record ? "finished" : "failed";
    if (record) call.record = record;
  }

  stop(call: LedgerCall, reason: string): void {
    call.state = "stopped";
    call.stopReason = reason;
  }

  addRound(line: Line, prompt: string, worker: LedgerCall): Round {
    const number = line.rounds.length + 1;
    const round: Round = { round: number, changeId: `${line.id}.${number}`, prompt, worker, reviews: [] };
    line.rounds.push(round);
    this.rounds.set(round.changeId, { line, round });
    return round;
  }

  /** The line and round of a change id, or undefined for an id this run never handed out. */
  find(changeId: string): { line: Line; round: Round } | undefined {
    return this.rounds.get(changeId);
  }

  decide(changeId: string, kind: "accept" | "discard", reason: string | null): boolean {
    const found = this.rounds.get(changeId);
    if (!found) return false;
    found.line.decision = { kind, changeId, reason };
    return true;
  }

  /**
   * How every line ended and what to merge, in the order lines were created.
   * Plain `agent()` calls that changed files count as unreviewed lines.
   * Work still waiting when the run stopped is `capped`.
   */
  outcomes(run: Pick<RunOutcome, "agents" | "error">): ReviewOutcomes {
    return buildOutcomes(this.lineList, this.callList, run, this.claimList);
  }
}

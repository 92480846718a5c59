/**
 * The entries of the review ledger: lines of work, their rounds, the
 * reviews of each round's change, and the agent calls behind them. Plain
 * records; the ledger (`ReviewLedger`) keeps them, `buildOutcomes` reads them.
 */
import type { RefutationVote, Verdict } from "../agents/types.js";
import type { AgentRecord } from "../runtime/types.js";
import type { ClaimOutcome } from "./types.js";

/** One agent call the extension made, updated as it settles. */
export interface LedgerCall {
  label: string;
  role: AgentRecord["role"];
  /** `finished`: resolved with a record; `failed`: resolved `null`; `stopped`: rejected; `pending`: never settled. */
  state: "pending" | "finished" | "failed" | "stopped";
  /** The run's record of the call from the moment it was queued (null when it was refused before). */
  record: AgentRecord | null;
  /** Why it stopped (a cap, the budget, a cancel), for stopped calls. */
  stopReason: string | null;
}

/** One `refute()` of a change. `pending` until every refuter settled; `stopped` when the run stopped one. */
export interface ReviewEntry {
  state: "pending" | "done" | "stopped";
  refuters: LedgerCall[];
  verdict: Verdict | null;
  votes: RefutationVote[];
  evidence: string;
}

/** One worker attempt of a line. */
export interface Round {
  round: number;
  /** `<line>.<round>`. */
  changeId: string;
  prompt: string;
  worker: LedgerCall;
  reviews: ReviewEntry[];
}

/** One `worker()` call, or every round of one `converge()`. */
export interface Line {
  id: string;
  /** Creation order. */
  seq: number;
  kind: "worker" | "converge";
  label: string;
  /** The prompt of the first round: what the line is for. */
  task: string;
  rounds: Round[];
  /** The script's last decision about one of the line's changes. */
  decision: { kind: "accept" | "discard"; changeId: string; reason: string | null } | null;
}

/** One `refute({ claim })`: the claim, what it was judged on, and its review. */
export interface ClaimEntry {
  label: string;
  claim: string;
  judged: ClaimOutcome["judged"];
  review: ReviewEntry;
}

/**
 * Ending a CI wait from outside its `ci` step: `/dynflow cancel`, or the
 * run's pull request being closed. One conditional update, so it takes effect
 * even while a step works on the run: a repair round already running still
 * pushes, but its wait does not go on (the step moves a wait only while it
 * still waits). Later webhooks change nothing.
 */
import type { CiRound } from "../../ci/types.js";
import type { CiWait, Store } from "../../store/index.js";
import { viewOf } from "./ci-wait-view.js";

/**
 * Cancels run `runId`'s CI wait if it still waits; resolves the wait as it
 * ended, or null when there was none waiting (or another process moved it
 * on first). A `reason` is recorded as the last round's note and shown.
 */
export async function cancelCiWait(store: Pick<Store, "ciWaits">, runId: string, reason?: string): Promise<CiWait | null> {
  // A repair round may record its round between the read and the update: the update then misses, and the wait is read again,
  // so the cancel's history keeps that round's row.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const wait = await store.ciWaits.get(runId);
    if (wait?.state !== "waiting") return null;
    const history: CiRound[] | undefined =
      reason === undefined ? undefined : [...viewOf(wait).history, { round: wait.round, headSha: wait.headSha, outcome: "cancelled", failing: [], note: reason }];
    const patch = history === undefined ? { state: "cancelled" as const } : { state: "cancelled" as const, history };
    if (await store.ciWaits.update(runId, patch, { state: "waiting", round: wait.round })) return { ...wait, ...patch };
  }
  return null;
}

/** Reads of a wait that keeps moving before the cancel gives up (a round is minutes of work: two suffice). */
const MAX_ATTEMPTS = 5;

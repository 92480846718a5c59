/**
 * Journal keys: how a finished agent call is found again when a run is
 * replayed (after a crash, a redeploy, or a rerun of the same script).
 *
 * Keys are derived from content, not from position: the prompt, the options
 * that change what the agent does, the base commit, and an occurrence number
 * (the n-th identical call of the run). Two consequences follow. Replays may
 * issue calls in any order (concurrent agents finish in any order, and a
 * fan-out may be re-dispatched differently) and still find their results, and
 * an agent that failed in the middle of a fan-out does not shift its
 * siblings' keys, so every completed sibling replays for free while only the
 * failed one runs again. Failures are never journaled, so a failed call always
 * runs again. The occurrence number keeps deliberately repeated identical calls
 * (e.g. three independent refuters with the same prompt) distinct.
 */
import { createHash } from "node:crypto";
import type { AgentOptions } from "../types.js";
import { canonicalJson } from "./canonical-json.js";

/** Bumped whenever the key derivation changes, so old journals miss instead of matching wrongly. */
const KEY_VERSION = 1;

/**
 * Options that only change how a call is displayed. Everything else, including
 * options unknown today, is part of the key: running again is cheaper than
 * reusing a result that was produced for a different request.
 */
const DISPLAY_ONLY: ReadonlySet<string> = new Set(["label", "phase"]);

/**
 * Options set when the agent starts from the run's state at that moment (how
 * many web searches are left). They differ between a run and its replay, so
 * they cannot be part of what identifies a call.
 */
const START_TIME: ReadonlySet<string> = new Set(["web"]);

/** Hash of what a call asks for (prompt + options that matter), without base or occurrence. */
export function callContentHash(prompt: string, options: AgentOptions): string {
  return sha256(canonicalJson({ v: KEY_VERSION, prompt, options: keyOptions(options) }));
}

/** The journal key of one agent call; see the module comment for why it is content-derived. */
export function journalKey(input: { prompt: string; options: AgentOptions; baseRevision: string; occurrence: number }): string {
  return sha256(
    canonicalJson({
      v: KEY_VERSION,
      content: callContentHash(input.prompt, input.options),
      baseRevision: input.baseRevision,
      occurrence: input.occurrence,
    }),
  );
}

/**
 * Counts identical calls within one run: `next(hash)` returns 1 the first time
 * a content hash is seen, 2 the second time, and so on.
 */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>();

  next(contentHash: string): number {
    const n = (this.seen.get(contentHash) ?? 0) + 1;
    this.seen.set(contentHash, n);
    return n;
  }
}

/** Options as they enter a key: display fields dropped, defaults made explicit. */
function keyOptions(options: AgentOptions): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!DISPLAY_ONLY.has(key) && !START_TIME.has(key) && value !== undefined) kept[key] = value;
  }
  // `role` defaults to worker: spelling the default out must not rerun work.
  kept["role"] ??= "worker";
  return kept;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The hidden marker that identifies a run's status comment, so the comment can
 * be found again (and edited instead of duplicated) after a crash.
 */
import { InvalidRunIdError } from "./errors.js";

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `<!-- dynflow:status run=<id> -->`; throws `InvalidRunIdError` for an id that could break out of the comment. */
export function statusMarker(runId: string): string {
  if (!RUN_ID.test(runId)) throw new InvalidRunIdError(runId);
  return `<!-- dynflow:status run=${runId} -->`;
}

/** Whether `body` is a status comment of `runId` (the marker opens the body). */
export function isStatusCommentOf(body: string | null | undefined, runId: string): boolean {
  return typeof body === "string" && body.startsWith(statusMarker(runId));
}

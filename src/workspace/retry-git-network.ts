/**
 * Git's network operations (the clone's fetch, the push) retried after a
 * transient failure: an HTTP 5xx from the server, or a connection that
 * dropped. Both are safe to repeat: a fetch only reads, and a run pushes only
 * its own refs, so a push that half happened is completed by the next one.
 * Anything else (authentication, a rejected ref, a missing repository)
 * fails at once.
 */
import { sleep, type Timers } from "../time.js";
import { GitCommandError } from "./errors.js";

/** Attempts in all, and the wait before the second (doubled each time). */
export const GIT_NETWORK_ATTEMPTS = 3;
export const GIT_NETWORK_BACKOFF_MS = 1000;

const TRANSIENT =
  /The requested URL returned error: 5\d\d|HTTP 5\d\d|RPC failed|remote end hung up unexpectedly|early EOF|Connection (reset|refused|timed out)|Could not resolve host|Operation timed out|unexpected disconnect/i;

/** Whether a failed git command is worth running again. */
export function isTransientGitFailure(error: unknown): boolean {
  return error instanceof GitCommandError && TRANSIENT.test(error.stderr);
}

/** Runs `operation`, again after a transient failure, up to `GIT_NETWORK_ATTEMPTS` times with backoff. */
export async function retryGitNetwork<T>(operation: () => Promise<T>, options: { signal?: AbortSignal; timers?: Timers; onRetry?: (error: unknown, attempt: number) => void } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= GIT_NETWORK_ATTEMPTS || !isTransientGitFailure(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt);
      await sleep(GIT_NETWORK_BACKOFF_MS * 2 ** (attempt - 1), { ...(options.timers ? { timers: options.timers } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    }
  }
}

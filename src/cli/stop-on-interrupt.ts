/**
 * Ctrl-C during `dynflow run`. The first one stops the run the way a cancel
 * does: no new agent starts, running agents are cancelled (each commits what
 * it had and reports its spend), then finished work is merged and the report
 * written as usual. A second one exits at once (code 130), leaving whatever
 * was not written yet.
 */
import type { CliIo } from "./cli-io.js";

/** The exit code of a process ended by SIGINT (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Watches for interrupts until the returned function is called. */
export function stopOnInterrupt(io: CliIo, controller: AbortController): () => void {
  if (!io.onInterrupt) return () => {};
  let count = 0;
  return io.onInterrupt(() => {
    count += 1;
    if (count === 1) {
      io.stderr("\ndynflow: stopping (Ctrl-C): no new agents; running agents are cancelled, finished work is merged and the report written. Ctrl-C again to exit at once.\n");
      controller.abort(new Error("interrupted from the terminal (Ctrl-C)"));
      return;
    }
    io.stderr("dynflow: exiting at once (second Ctrl-C); the report was not written\n");
    (io.exit ?? ((code: number) => process.exit(code)))(INTERRUPTED_EXIT_CODE);
  });
}

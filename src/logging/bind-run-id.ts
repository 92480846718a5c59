/**
 * A run's logger carries its `runId` once. pino writes a child's bindings
 * after its parent's without merging them, so binding `runId` again (or
 * passing it in a line's fields) prints the key twice in one JSON line.
 */
import type { Logger } from "pino";

/** `log` with `runId` bound, unless it is bound already. */
export function bindRunId(log: Logger, runId: string): Logger {
  return log.bindings().runId === undefined ? log.child({ runId }) : log;
}

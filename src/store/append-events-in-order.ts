/**
 * A run's events stored in order without a write per event: the events that
 * come while a write is in flight go together in the next one (one
 * transaction, `EventStore.appendAll`). A lone event is written at once, as
 * before; what a crash loses is what it lost before, the events not yet
 * written. A failed write goes to `onError`, and the events after it are
 * still written.
 */
import type { RunEvent } from "../runtime/types.js";
import type { EventStore } from "./types.js";

export interface EventAppends {
  add(event: RunEvent): void;
  /** Settles when every event added so far is written (or its write failed). */
  written(): Promise<void>;
}

/** Events per write at most: one statement's parameters stay well inside SQLite's limit. */
export const MAX_EVENTS_PER_WRITE = 500;

export function appendEventsInOrder(events: EventStore, runId: string, onError: (error: unknown) => void): EventAppends {
  const waiting: RunEvent[] = [];
  let queued = false;
  let writes: Promise<void> = Promise.resolve();
  const queue = () => {
    queued = true;
    writes = writes
      .then(async () => {
        queued = false;
        const batch = waiting.splice(0, MAX_EVENTS_PER_WRITE);
        if (waiting.length > 0) queue();
        await events.appendAll(runId, batch);
      })
      .catch(onError);
  };
  return {
    add(event) {
      waiting.push(event);
      if (!queued) queue();
    },
    written: () => writes,
  };
}

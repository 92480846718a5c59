/**
 * `/dynflow status [run-id]`: replies with where the run is, rebuilt from
 * its record and its stored progress events (so any process can answer).
 */
import type { RunIdCommand } from "../../commands/parse-command.js";
import { createProgressTracker } from "../../progress/create-progress-tracker.js";
import type { ProgressSnapshot } from "../../progress/types.js";
import type { CommandInput } from "./command-input.js";
import { findRun } from "../run-record/find-run.js";
import { renderRunStatus } from "./render-run-status.js";
import type { AppRuntime } from "../services/types.js";

/** Most events read back to rebuild the progress. */
const MAX_EVENTS = 20_000;
const PAGE = 1_000;

/** Replies with the run's status. */
export async function replyStatus(input: CommandInput, runtime: AppRuntime, command: RunIdCommand): Promise<void> {
  const found = await findRun(runtime.store.runs, { ...input, runId: command.runId });
  if (!found.found) return input.reply(found.message);
  const snapshot = await progressOf(runtime, found.run.id);
  await input.reply(renderRunStatus(found.run, snapshot, runtime.clock.now()));
}

async function progressOf(runtime: AppRuntime, runId: string): Promise<ProgressSnapshot | null> {
  const tracker = createProgressTracker({ clock: runtime.clock });
  let afterSeq = 0;
  let read = 0;
  while (read < MAX_EVENTS) {
    const page = await runtime.store.events.list(runId, { afterSeq, limit: PAGE });
    for (const stored of page) tracker.apply(stored.event);
    read += page.length;
    if (page.length < PAGE) break;
    afterSeq = page.at(-1)!.seq;
  }
  return read === 0 ? null : tracker.snapshot();
}

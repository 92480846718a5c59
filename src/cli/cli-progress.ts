/**
 * Progress of a run or simulation on stderr (stdout is for the result): a
 * block redrawn in place on a terminal, one line per phase, finished agent and
 * log line otherwise.
 */
import { createProgressTracker } from "../progress/create-progress-tracker.js";
import { renderProgressBlock, renderProgressLine, renderStageLine } from "../progress/render-terminal-progress.js";
import type { WorkflowStage } from "../run/types.js";
import type { RunEvent } from "../runtime/types.js";
import { backgroundTimers, repeatEvery, systemClock, type Clock } from "../time.js";
import type { CliIo } from "./cli-io.js";

export interface CliProgress {
  event(event: RunEvent): void;
  stage(next: WorkflowStage): void;
  stop(): void;
}

export interface CliProgressOptions {
  /** What the first line names, e.g. "dynflow run 4e2a9c1b". */
  title: string;
  /** Where elapsed time is read (a simulation passes its virtual clock). */
  clock?: Clock;
  /** Stage shown before any `stage()` call. */
  stage?: WorkflowStage;
}

/** Starts progress output for `io`; call `stop()` when the run ends. */
export function createCliProgress(io: CliIo, options: CliProgressOptions): CliProgress {
  const tracker = createProgressTracker({ clock: options.clock ?? systemClock });
  const labels = new Map<string, string>();
  let stage: WorkflowStage | null = options.stage ?? null;
  let drawn = 0;
  const draw = () => {
    const block = renderProgressBlock(tracker.snapshot(), { title: options.title, stage });
    io.stderr(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ""}${block.join("\n")}\n`);
    drawn = block.length;
  };
  // Elapsed time moves between events too.
  const ticker = io.isTty ? repeatEvery(1000, draw, backgroundTimers) : undefined;
  return {
    event(event) {
      tracker.apply(event);
      if (event.type === "agent.queued") labels.set(event.agentId, event.label);
      if (io.isTty) return draw();
      const line = renderProgressLine(event, (id) => labels.get(id) ?? id);
      if (line !== null) io.stderr(`${line}\n`);
    },
    stage(next) {
      stage = next;
      if (io.isTty) draw();
      else io.stderr(`${renderStageLine(next)}\n`);
    },
    stop() {
      ticker?.stop();
    },
  };
}

/**
 * One execution of a local run, kept in the repository's local store as it
 * happens: the run's lease (one process executes a run at a time), its
 * journal (so `dynflow resume` pays nothing twice), its progress events and
 * agents' transcripts (for `dynflow ui` and `dynflow show`), the controls
 * `dynflow ui` sends (cancel the run, stop an agent), and its status, result
 * or error at the end.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { pino, type Logger } from "pino";
import { watchRunControls } from "../controls/watch-run-controls.js";
import { AgentStops } from "../runtime/agent-stops.js";
import type { RunWorkflowInput, WorkflowResult } from "../run/types.js";
import { appendEventsInOrder, type RunRecord, type Store } from "../store/index.js";
import { backgroundTimers, repeatEvery, type Timers } from "../time.js";
import { createTranscriptRecorder } from "../transcripts/create-transcript-recorder.js";
import { LocalRunBusyError } from "./errors.js";
import { failedFields, plannedFields, type LocalRunFailure } from "./local-run-record.js";

/** How long a run's lease lasts without renewal: how soon a killed process's run can be resumed. */
export const LOCAL_LEASE_MS = 15_000;

export interface TrackLocalRunOptions {
  store: Store;
  /** The run as stored, already created (a new run) or read back (a resume). */
  run: RunRecord;
  /** Values never to store in a transcript (the model API key). */
  secrets: readonly string[];
  log?: Logger;
  timers?: Timers;
  /** Default `LOCAL_LEASE_MS`. */
  leaseMs?: number;
  /** How often `dynflow ui`'s controls are read. Default 1,000 ms. */
  controlPollMs?: number;
  /** Cancels the run too when it aborts (e.g. the command's Ctrl-C), with its reason. */
  signal?: AbortSignal;
}

export interface LocalRunTracking {
  /** What `runWorkflow` is given; `onEvent` also calls the caller's own progress view. */
  workflowInput(onEvent: (event: Parameters<NonNullable<RunWorkflowInput["onEvent"]>>[0]) => void): Pick<
    RunWorkflowInput,
    "journal" | "onEvent" | "signal" | "agentStops" | "transcripts" | "onPlanned"
  >;
  /** Records how the run ended. */
  finish(result: WorkflowResult, reportPath: string): Promise<void>;
  /** Records that the run could not go on (planning, the repository's settings or the merge failed): why, and what it spent. */
  fail(failure: LocalRunFailure): Promise<void>;
  /** Writes what is pending, stops watching and gives the lease back. */
  close(): Promise<void>;
}

/** Takes the run's lease and starts tracking; throws `LocalRunBusyError` when another process executes it. */
export async function trackLocalRun(options: TrackLocalRunOptions): Promise<LocalRunTracking> {
  const { store, run } = options;
  const log = options.log ?? pino({ level: "silent" });
  const leaseMs = options.leaseMs ?? LOCAL_LEASE_MS;
  const timers = options.timers ?? backgroundTimers;
  const lease = `local-run:${run.id}`;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  if (!(await store.leases.acquire(lease, holder, leaseMs))) throw new LocalRunBusyError(run.id, leaseMs);

  const cancel = new AbortController();
  const forward = () => cancel.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener("abort", forward, { once: true });
  const renewal = repeatEvery(
    Math.max(1, Math.floor(leaseMs / 3)),
    () => {
      store.leases.renew(lease, holder, leaseMs).then(
        (held) => {
          // Someone took the run over (this process stalled past its lease): stop rather than run it twice.
          if (!held) cancel.abort(new Error("another dynflow process took this run over"));
        },
        (error: unknown) => log.warn({ err: error }, "could not renew the run's lease; trying again"),
      );
    },
    timers,
  );
  const agentStops = new AgentStops();
  let controls: { stop(): void } | null = null;
  try {
    await store.runs.update(run.id, { status: "running", error: null });
    controls = await watchRunControls({
      runId: run.id,
      controls: store.controls,
      stops: agentStops,
      cancel: (reason) => cancel.abort(new Error(reason)),
      timers,
      ...(options.controlPollMs !== undefined ? { intervalMs: options.controlPollMs } : {}),
      log,
    });
  } catch (error) {
    renewal.stop();
    await store.leases.release(lease, holder).catch(() => false);
    throw error;
  }
  const transcripts = createTranscriptRecorder({ sink: store.transcripts, secrets: options.secrets, log: log.child({ component: "transcripts" }) });
  const events = appendEventsInOrder(store.events, run.id, (error) => log.warn({ err: error }, "could not store run events"));

  return {
    workflowInput(onEvent) {
      return {
        journal: store.journal(run.id),
        signal: cancel.signal,
        agentStops,
        transcripts,
        onEvent(event) {
          onEvent(event);
          events.add(event);
        },
        async onPlanned(planned) {
          if (run.script === planned.source) return;
          await store.runs.update(run.id, plannedFields({ ...planned, plan: planned.plan && { usage: { ...planned.plan.usage }, costUsd: planned.plan.costUsd } }));
        },
      };
    },

    async finish(result, reportPath) {
      const { outcome } = result;
      await store.runs.update(run.id, {
        status: outcome.status,
        error: outcome.error,
        result: {
          branch: result.branch,
          commit: result.commit,
          merged: result.reconcile.merged.length,
          agents: result.reportModel.totals.agents,
          costUsd: Number(result.reportModel.totals.costUsd.toFixed(6)),
          report: reportPath,
        },
      });
    },

    async fail(failure) {
      await store.runs.update(run.id, failedFields(failure)).catch((error: unknown) => log.warn({ err: error }, "could not record the run's failure"));
    },

    async close() {
      options.signal?.removeEventListener("abort", forward);
      controls?.stop();
      renewal.stop();
      await transcripts.close();
      await events.written();
      await store.leases.release(lease, holder).catch((error: unknown) => log.warn({ err: error }, "could not give the run's lease back; it expires by itself"));
    },
  };
}

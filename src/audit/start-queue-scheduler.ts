/**
 * The scale-out shape of the audit scheduler, for deployments with Redis:
 * each schedule of the store is mirrored as a BullMQ job scheduler (cron
 * pattern + time zone), BullMQ turns each occurrence into one job with a
 * deterministic id, and exactly one worker takes each job. The store stays
 * the source of truth for which schedules exist; `reconcile` brings Redis in
 * step with it. Run this INSTEAD of `startScheduler`, never both.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from "bullmq";
import pino, { type Logger } from "pino";
import type { ScheduleKey, ScheduleRecord, Store } from "../store/index.js";
import { auditFromSchedule } from "./schedule-spec.js";
import { realTimers, type Timers } from "../time.js";
import type { FireSchedule, ScheduledFiring } from "./types.js";

/** Queue the firings go through unless told otherwise. */
export const DEFAULT_AUDIT_QUEUE = "dynflow-audits";

/** How often each process brings Redis in step with the store unless told otherwise. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000;

/** Job schedulers dynflow owns start with this; others in the queue are left alone. */
const SCHEDULER_ID_PREFIX = "audit/";

// BullMQ's cron parser is not croner; spelling macros out keeps both reading the same schedule.
const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export interface StartQueueSchedulerOptions {
  /**
   * Redis connection: ioredis options, or an ioredis instance built from
   * `REDIS_URL` with `maxRetriesPerRequest: null` (BullMQ's workers need it).
   */
  connection: ConnectionOptions;
  store: Pick<Store, "schedules">;
  fire: FireSchedule;
  queueName?: string;
  /** BullMQ key prefix (default BullMQ's own, `bull`). */
  prefix?: string;
  /** Time between reconciliations (default 60,000 ms); the first runs at once. */
  reconcileIntervalMs?: number;
  timers?: Timers;
  log?: Pick<Logger, "info" | "warn" | "error">;
}

export interface QueueScheduler {
  /**
   * Mirrors the store's schedules into BullMQ: creates or re-times the job
   * schedulers that differ, removes the ones whose schedule is gone. Call it
   * after `syncSchedules` so a change applies at once, not at the next round.
   */
  reconcile(): Promise<{ upserted: string[]; removed: string[] }>;
  /** Stops reconciling and closes the worker (after its job in progress) and the queue. */
  close(): Promise<void>;
}

/** Starts mirroring schedules into BullMQ and a worker that fires each occurrence it receives. */
export function startQueueScheduler(options: StartQueueSchedulerOptions): QueueScheduler {
  const { connection, prefix, store } = options;
  const queueName = options.queueName ?? DEFAULT_AUDIT_QUEUE;
  const timers = options.timers ?? realTimers;
  const log = options.log ?? pino({ level: "silent" });
  const intervalMs = options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
  const queue = new Queue<ScheduleKey>(queueName, { connection, ...(prefix ? { prefix } : {}) });
  const worker = new Worker<ScheduleKey>(queueName, (job) => handle(job), { connection, ...(prefix ? { prefix } : {}) });
  worker.on("error", (error) => log.warn({ err: error }, "audit queue worker error"));
  let closed = false;
  let timer: unknown;
  let running: Promise<unknown> = Promise.resolve();

  async function handle(job: Job<ScheduleKey>): Promise<void> {
    const key = job.data;
    // `audit`, not `name`: pino's `name` is the logger's.
    const fields = { installationId: key.installationId, owner: key.owner, repo: key.repo, audit: key.name };
    const schedule = (await store.schedules.listForRepo(key)).find((record) => record.name === key.name);
    if (schedule === undefined) {
      // Removed from the config since BullMQ queued the job; reconcile drops its scheduler.
      log.info(fields, "scheduled audit no longer exists; not fired");
      return;
    }
    const firing: ScheduledFiring = { schedule, at: occurrenceOf(job), audit: auditFromSchedule(schedule) };
    try {
      await options.fire(firing);
      log.info({ ...fields, at: firing.at }, "scheduled audit fired");
    } catch (error) {
      // Rethrown so BullMQ records the job as failed.
      log.error({ ...fields, at: firing.at, err: error }, "scheduled audit failed to start");
      throw error;
    }
  }

  async function reconcile(): Promise<{ upserted: string[]; removed: string[] }> {
    // Every schedule is due by the end of time: the store's way to list them all.
    const wanted = new Map((await store.schedules.due(Number.MAX_SAFE_INTEGER)).map((record) => [schedulerId(record), record]));
    const current = new Map(
      (await queue.getJobSchedulers(0, -1, true)).filter((entry) => entry.key.startsWith(SCHEDULER_ID_PREFIX)).map((entry) => [entry.key, entry]),
    );
    const upserted: string[] = [];
    for (const [id, record] of wanted) {
      const pattern = toQueuePattern(record.cron);
      const existing = current.get(id);
      if (existing && existing.pattern === pattern && existing.tz === record.timezone) continue;
      await queue.upsertJobScheduler(
        id,
        { pattern, tz: record.timezone },
        { name: "audit", data: keyOf(record), opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } } },
      );
      upserted.push(id);
    }
    const removed: string[] = [];
    for (const id of current.keys()) {
      if (wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
    if (upserted.length + removed.length > 0) log.info({ upserted, removed }, "audit job schedulers reconciled");
    return { upserted, removed };
  }

  function serialReconcile(): Promise<{ upserted: string[]; removed: string[] }> {
    const next = running.then(reconcile, reconcile);
    running = next.catch(() => undefined);
    return next;
  }

  function loop(delay: number): void {
    timer = timers.setTimeout(() => {
      serialReconcile()
        .catch((error: unknown) => log.warn({ err: error }, "audit job schedulers not reconciled; trying again next round"))
        .finally(() => {
          if (!closed) loop(intervalMs);
        });
    }, delay);
  }
  loop(0);

  return {
    reconcile: serialReconcile,
    async close() {
      closed = true;
      timers.clearTimeout(timer);
      await running;
      await worker.close();
      await queue.close();
    },
  };
}

/** The BullMQ job scheduler id of a schedule: `audit/<installation>/<owner>/<repo>/<name>` (none of these holds a `/`). */
export function schedulerId(key: ScheduleKey): string {
  return `${SCHEDULER_ID_PREFIX}${key.installationId}/${key.owner}/${key.repo}/${key.name}`;
}

/** A cron expression as BullMQ's parser should read it. */
export function toQueuePattern(cron: string): string {
  const text = cron.trim();
  return MACROS[text.toLowerCase()] ?? text;
}

function keyOf(record: ScheduleRecord): ScheduleKey {
  return { installationId: record.installationId, owner: record.owner, repo: record.repo, name: record.name };
}

/** The occurrence a job stands for: BullMQ records it as `prevMillis`; else when the job was due. */
function occurrenceOf(job: Job<ScheduleKey>): number {
  return job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
}

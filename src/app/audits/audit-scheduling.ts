/**
 * Which scheduler fires audit occurrences in this process, chosen once at
 * startup: with `REDIS_URL`, BullMQ job schedulers mirror the store's
 * schedules and one worker takes each occurrence (`startQueueScheduler`);
 * without it, the embedded scheduler ticks and the store's compare-and-set
 * picks the one process that fires (`startScheduler`). Never both. Either
 * way the occurrence becomes an audit run (`createScheduledAuditFire`).
 */
import type { Logger } from "pino";
import { startQueueScheduler, startScheduler, type QueueScheduler, type Scheduler } from "../../audit/index.js";
import type { Clock, Timers } from "../../time.js";
import { createScheduledAuditFire } from "./fire-scheduled-audit.js";
import type { AppRuntime } from "../services/types.js";

export interface AuditSchedulingOptions {
  /** `REDIS_URL`; null or absent: the embedded scheduler. */
  redisUrl?: string | null;
  /** Default: the runtime's clock. */
  clock?: Clock;
  timers?: Timers;
  /** Embedded: time between ticks (default 30 s). BullMQ: time between reconciliations (default 60 s). */
  intervalMs?: number;
  /** BullMQ queue name and key prefix (defaults: `dynflow-audits`, BullMQ's own). */
  queueName?: string;
  prefix?: string;
  /** Default: the runtime's logger. */
  log?: Logger;
}

/** The audit scheduler of a process, started once the app's runtime exists. */
export interface AuditScheduling {
  readonly mode: "embedded" | "queue";
  /** Starts firing occurrences as audit runs of `runtime`. Call once. */
  start(runtime: AppRuntime): void;
  /**
   * The stored schedules changed (a config push, an install): the BullMQ
   * mirror reconciles at once. The embedded scheduler reads the store on
   * every tick, so it has nothing to do.
   */
  changed(): Promise<void>;
  /** Looks for due occurrences now (embedded: one tick; BullMQ: a reconciliation); resolves how many this process fired. */
  tick(): Promise<number>;
  /** Stops firing and waits for a firing in progress. */
  stop(): Promise<void>;
}

/** The scheduling for this deployment; nothing runs until `start`. */
export function createAuditScheduling(options: AuditSchedulingOptions = {}): AuditScheduling {
  const redisUrl = options.redisUrl ?? null;
  let embedded: Scheduler | null = null;
  let queued: QueueScheduler | null = null;

  return {
    mode: redisUrl === null ? "embedded" : "queue",
    start(runtime) {
      if (embedded !== null || queued !== null) throw new Error("audit scheduling: start() was called twice; one process runs one scheduler");
      const log = (options.log ?? runtime.log).child({ component: "audit-scheduler" });
      const fire = createScheduledAuditFire(runtime);
      const store = runtime.store;
      if (redisUrl === null) {
        embedded = startScheduler({ store, fire, clock: options.clock ?? runtime.clock, log, ...optional(options) });
        log.info("audit schedules fired by the embedded scheduler (the store decides which process fires each occurrence)");
      } else {
        queued = startQueueScheduler({
          connection: { url: redisUrl },
          store,
          fire,
          log,
          ...(options.queueName ? { queueName: options.queueName } : {}),
          ...(options.prefix ? { prefix: options.prefix } : {}),
          ...(options.timers ? { timers: options.timers } : {}),
          ...(options.intervalMs !== undefined ? { reconcileIntervalMs: options.intervalMs } : {}),
        });
        log.info("audit schedules fired through BullMQ job schedulers (REDIS_URL is set)");
      }
    },
    async changed() {
      await queued?.reconcile();
    },
    async tick() {
      if (embedded !== null) return (await embedded.tick()).fired.length;
      await queued?.reconcile();
      return 0;
    },
    async stop() {
      await embedded?.stop();
      await queued?.close();
    },
  };
}

function optional(options: AuditSchedulingOptions): { timers?: Timers; intervalMs?: number } {
  return { ...(options.timers ? { timers: options.timers } : {}), ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) };
}

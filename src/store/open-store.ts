import { Kysely, sql } from "kysely";
import { pino, type Logger } from "pino";
import { systemClock, type Clock } from "../time.js";
import { createAuditIssueStore } from "./audit-issue-store.js";
import { createBranchCleanupStore } from "./branch-cleanup-store.js";
import { createChangeObjectStore } from "./change-object-store.js";
import { createCiWaitStore } from "./ci-wait-store.js";
import { createControlStore } from "./control-store.js";
import { connectPostgres } from "./connect-postgres.js";
import { connectSqlite, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_SQLITE_PATH } from "./connect-sqlite.js";
import { createDeliveryStore } from "./delivery-store.js";
import { StoreConfigError } from "./errors.js";
import { createEventStore } from "./event-store.js";
import { createLeaseStore } from "./lease-store.js";
import { migrateStore } from "./migrate-store.js";
import { createRunStore } from "./run-store.js";
import { createScheduleStore } from "./schedule-store.js";
import type { Database } from "./schema.js";
import { createSqlJournals, listJournalEntries } from "./sql-journal.js";
import { createTranscriptStore } from "./transcript-store.js";
import { StageTimingPlugin } from "./stage-timing-plugin.js";
import { stageTimerActive } from "../timing/stage-timer.js";
import type { Store, StoreEngine } from "./types.js";

export interface OpenStoreOptions {
  /** A `postgres://` or `postgresql://` URL (the deployment's `DATABASE_URL`); unset or empty selects SQLite. */
  url?: string | null;
  /** SQLite file when no URL is given (default `./data/dynflow.db`); its directory is created. */
  sqlitePath?: string;
  /** Source of every stored time and of lease expiry. */
  clock?: Clock;
  log?: Logger;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /** How long SQLite waits for another process's write lock (default 5,000 ms). */
  busyTimeoutMs?: number;
}

/**
 * Opens the store and migrates its schema to the latest version (a no-op
 * when it is current). One code path for both engines: PostgreSQL when a URL
 * is given (shared by every process of a scaled-out deployment), else an
 * embedded SQLite file.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? pino({ level: "silent" });
  const url = options.url || undefined;
  const engine: StoreEngine = url === undefined ? "sqlite" : checkPostgresUrl(url);
  const dialect =
    url === undefined
      ? connectSqlite(options.sqlitePath ?? DEFAULT_SQLITE_PATH, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)
      : connectPostgres(url, { maxConnections: options.maxConnections ?? 10, log });
  // Measured only when a benchmark installed a stage timer before opening the store.
  const db = new Kysely<Database>({ dialect, plugins: stageTimerActive() ? [new StageTimingPlugin()] : [] });
  try {
    await migrateStore(db, engine, log);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    engine,
    runs: createRunStore(db, clock),
    events: createEventStore(db, clock),
    deliveries: createDeliveryStore(db, clock),
    leases: createLeaseStore(db, clock),
    schedules: createScheduleStore(db, clock),
    auditIssues: createAuditIssueStore(db, clock),
    transcripts: createTranscriptStore(db, clock),
    controls: createControlStore(db, clock),
    ciWaits: createCiWaitStore(db, clock),
    branchCleanups: createBranchCleanupStore(db, clock),
    changeObjects: createChangeObjectStore(db, clock),
    journal: createSqlJournals(db, clock),
    journalEntries: (runId) => listJournalEntries(db, runId),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Accepts PostgreSQL URLs only; the message names the scheme, never the URL (it may hold a password). */
function checkPostgresUrl(url: string): "postgres" {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new StoreConfigError("the database URL is not a valid URL; expected postgres://user:password@host:5432/database");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new StoreConfigError(
      `the database URL uses ${protocol}//, which dynflow does not support; use a postgres:// URL, or leave it unset for the embedded SQLite file`,
    );
  }
  return "postgres";
}

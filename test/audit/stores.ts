/**
 * Stores for the audit tests: a SQLite file in a temporary directory, and a
 * fresh schema in the PostgreSQL database of `DATABASE_URL` (default: a local
 * server), as the store's own tests use them.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore } from "../../src/store/open-store.js";
import type { Clock } from "../../src/runtime/types.js";
import type { Store } from "../../src/store/types.js";

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  set(iso: string): void;
}

export function manualClock(iso: string): ManualClock {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set(next) {
      now = Date.parse(next);
    },
  };
}

/** Where a test's stores live; `open` may be called several times for several "processes". */
export interface StoreSite {
  open(clock: Clock): Promise<Store>;
  dispose(): Promise<void>;
}

export async function sqliteSite(): Promise<StoreSite> {
  const dir = await mkdtemp(join(tmpdir(), "dynflow-audit-"));
  const sqlitePath = join(dir, "dynflow.db");
  return { open: (clock) => openStore({ sqlitePath, clock }), dispose: () => rm(dir, { recursive: true, force: true }) };
}

export const POSTGRES_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX = `dynflow_audit_${randomBytes(4).toString("hex")}`;
let schemas = 0;

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at `POSTGRES_URL`. */
export async function postgresAnswers(): Promise<boolean> {
  try {
    await adminQuery("select 1");
    return true;
  } catch {
    return false;
  }
}

/** A fresh schema; every store opened on the site shares it, as processes share a database. */
export async function postgresSite(): Promise<StoreSite> {
  const schema = `${PREFIX}_${++schemas}`;
  await adminQuery(`create schema ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    open: (clock) => openStore({ url: url.toString(), clock, maxConnections: 2 }),
    dispose: () => adminQuery(`drop schema if exists ${schema} cascade`),
  };
}

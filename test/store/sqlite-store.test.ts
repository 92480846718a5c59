import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { MIGRATION_NAMES } from "../../src/store/migrations/index.js";
import { StoreConfigError } from "../../src/store/errors.js";
import { defineStoreContract, newRun } from "./store-contract.js";

defineStoreContract("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "dynflow-store-"));
  // A directory that does not exist yet: opening must create it.
  const sqlitePath = join(dir, "data", "dynflow.db");
  return {
    open: ({ clock }) => openStore({ sqlitePath, clock }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("sqlite store", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "dynflow-store-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the file in WAL mode with every migration applied once, however often it is opened", async () => {
    const sqlitePath = join(dir, "nested", "deeper", "dynflow.db");
    for (let i = 0; i < 3; i++) await (await openStore({ sqlitePath })).close();
    const db = new Database(sqlitePath, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      const applied = db.prepare("select name from kysely_migration order by name").all() as { name: string }[];
      expect(applied.map((row) => row.name)).toEqual([...MIGRATION_NAMES]);
    } finally {
      db.close();
    }
  });

  it("selects SQLite when the URL is unset or empty", async () => {
    const store = await openStore({ url: "", sqlitePath: join(dir, "x.db") });
    try {
      expect(store.engine).toBe("sqlite");
      await store.runs.create(newRun("r-1"));
      expect((await store.runs.get("r-1"))?.id).toBe("r-1");
    } finally {
      await store.close();
    }
  });

  it("refuses a database URL that is not PostgreSQL, without echoing it", async () => {
    const attempt = openStore({ url: "mysql://admin:hunter2@db/dynflow", sqlitePath: join(dir, "x.db") });
    await expect(attempt).rejects.toBeInstanceOf(StoreConfigError);
    await expect(attempt).rejects.toThrow(/mysql:\/\//);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
    await expect(openStore({ url: "not a url" })).rejects.toMatchObject({ code: "store_config" });
  });
});

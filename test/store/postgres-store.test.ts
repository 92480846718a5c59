/**
 * The store on PostgreSQL. Uses `DATABASE_URL` when set, else a local server;
 * every test gets its own schema in that database (so only CREATE on the
 * database is needed), dropped afterwards. Without a server the tests are
 * skipped with a message, except in CI, where they fail.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StoreMigrationError } from "../../src/store/errors.js";
import { MIGRATION_NAMES } from "../../src/store/migrations/index.js";
import { openStore } from "../../src/store/open-store.js";
import { defineStoreContract, newRun } from "./store-contract.js";

const BASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX = `dynflow_test_${randomBytes(4).toString("hex")}`;

let admin: pg.Client | undefined;
let schemas = 0;

/** Creates an empty schema and returns a URL whose connections use it. */
async function newSchema(): Promise<{ schema: string; url: string }> {
  const schema = `${PREFIX}_${++schemas}`;
  await adminClient().then((client) => client.query(`create schema ${schema}`));
  const url = new URL(BASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { schema, url: url.toString() };
}

async function dropSchema(schema: string): Promise<void> {
  await (await adminClient()).query(`drop schema if exists ${schema} cascade`);
}

async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    const client = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    admin = client;
  }
  return admin;
}

async function serverAnswers(): Promise<boolean> {
  try {
    await (await adminClient()).query("select 1");
    return true;
  } catch {
    admin = undefined;
    return false;
  }
}

const available = await serverAnswers();

afterAll(async () => {
  await admin?.end();
});

if (!available && !process.env.CI) {
  const reason = `needs a PostgreSQL server: none answers at ${new URL(BASE_URL).host}; start one or set DATABASE_URL`;
  console.warn(`postgres store tests skipped: ${reason}`);
  describe("postgres store", () => {
    it.skip(reason, () => {});
  });
} else {
  defineStoreContract("postgres", async () => {
    const { schema, url } = await newSchema();
    return { open: ({ clock }) => openStore({ url, clock, maxConnections: 4 }), dispose: () => dropSchema(schema) };
  });

  describe("postgres store", () => {
    const made: string[] = [];

    beforeAll(() => {
      // In CI a missing server must fail here rather than skip.
      expect(available).toBe(true);
    });

    afterEach(async () => {
      for (const schema of made.splice(0)) await dropSchema(schema);
    });

    async function schemaUrl(): Promise<{ schema: string; url: string }> {
      const created = await newSchema();
      made.push(created.schema);
      return created;
    }

    it("migrates a schema once when several processes start at the same moment", async () => {
      const { schema, url } = await schemaUrl();
      const stores = await Promise.all([openStore({ url }), openStore({ url }), openStore({ url })]);
      for (const store of stores) await store.close();
      const { rows } = await (await adminClient()).query<{ name: string }>(`select name from ${schema}.kysely_migration order by name`);
      expect(rows.map((row) => row.name)).toEqual([...MIGRATION_NAMES]);
    });

    it("keeps stores in different schemas of one database apart", async () => {
      const a = await openStore({ url: (await schemaUrl()).url });
      const b = await openStore({ url: (await schemaUrl()).url });
      try {
        await a.runs.create(newRun("r-1"));
        expect(await b.runs.get("r-1")).toBeUndefined();
        await b.runs.create(newRun("r-1", { repo: "other" }));
        expect((await a.runs.get("r-1"))?.repo).toBe("widgets");
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

describe("postgres store without a server", () => {
  it("fails to open with a migration error that does not show the password", async () => {
    // Port 1 on the loopback refuses connections at once.
    const attempt = openStore({ url: "postgres://dynflow:s3cret-pw@127.0.0.1:1/dynflow" });
    await expect(attempt).rejects.toBeInstanceOf(StoreMigrationError);
    await expect(attempt).rejects.toMatchObject({ code: "store_migration", engine: "postgres" });
    await expect(attempt).rejects.not.toThrow(/s3cret-pw/);
  });
});

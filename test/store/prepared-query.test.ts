import { Kysely, sql, type KyselyPlugin } from "kysely";
import { describe, expect, it, vi } from "vitest";
import { connectSqlite } from "../../src/store/connect-sqlite.js";
import { preparedQuery } from "../../src/store/prepared-query.js";
import type { Database } from "../../src/store/schema.js";

async function database(): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect: connectSqlite(":memory:") });
  await sql`create table journal (run_id text, key text, label text)`.execute(db);
  return db;
}

describe("preparedQuery", () => {
  it("builds the query once and runs it with each call's values, in the places they were given", async () => {
    const db = await database();
    const build = vi.fn((plain: Kysely<Database>, value: (name: "runId" | "key" | "label") => never) =>
      // The values are named in another order than the columns take them.
      plain.insertInto("journal").values({ label: value("label"), run_id: value("runId"), key: value("key") } as never),
    );
    const insert = preparedQuery(db, ["runId", "key", "label"], build);
    await insert({ runId: "r1", key: "a", label: "first" });
    await insert({ label: "second", key: "b", runId: "r2" });
    const select = preparedQuery(db, ["runId"], (plain, value) => plain.selectFrom("journal").select(["key", "label"]).where("run_id", "=", value("runId")));
    expect((await select({ runId: "r2" })).rows).toEqual([{ key: "b", label: "second" }]);
    expect((await select({ runId: "r1" })).rows).toEqual([{ key: "a", label: "first" }]);
    expect(build).toHaveBeenCalledTimes(1);
    await db.destroy();
  });

  it("compiles without the store's plugins, which see only the results", async () => {
    const db = await database();
    const seen: string[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => (seen.push("query"), args.node),
      transformResult: async (args) => (seen.push("result"), args.result),
    };
    const select = preparedQuery(db.withPlugin(plugin), ["runId"], (plain, value) => plain.selectFrom("journal").selectAll().where("run_id", "=", value("runId")));
    await select({ runId: "r1" });
    await select({ runId: "r2" });
    expect(seen).toEqual(["result", "result"]);
    await db.destroy();
  });

  it("refuses a query with a value that is not one of its placeholders, or a placeholder it does not name", async () => {
    const db = await database();
    const inlined = preparedQuery(db, ["runId"], (plain, value) => plain.selectFrom("journal").selectAll().where("run_id", "=", value("runId")).where("key", "=", "fixed"));
    await expect(inlined({ runId: "r1" })).rejects.toThrow(/a parameter that is not one of its values: fixed/);
    const unnamed = preparedQuery(db, ["runId"], (plain, value) => plain.selectFrom("journal").selectAll().where("key", "=", value("key" as "runId")));
    await expect(unnamed({ runId: "r1" })).rejects.toThrow(/uses a value it does not name: key/);
    await db.destroy();
  });
});

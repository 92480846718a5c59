import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { JsonValue } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database, SchedulesTable } from "./schema.js";
import type { RepoKey, ScheduleInput, ScheduleRecord, ScheduleStore } from "./types.js";

/** The `schedules` table: scheduled audits, claimed occurrence by occurrence. */
export function createScheduleStore(db: Kysely<Database>, clock: Clock): ScheduleStore {
  return {
    async upsertForRepo(repo, entries) {
      // Later entries with the same name win, as in a config that repeats a key.
      const byName = new Map<string, ScheduleInput>(entries.map((entry) => [entry.name, entry]));
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        let stale = trx.deleteFrom("schedules").where(inRepo(repo));
        if (byName.size > 0) stale = stale.where("name", "not in", [...byName.keys()]);
        await stale.execute();
        for (const entry of byName.values()) {
          await trx
            .insertInto("schedules")
            .values({
              installation_id: repo.installationId,
              owner: repo.owner,
              repo: repo.repo,
              name: entry.name,
              cron: entry.cron,
              timezone: entry.timezone,
              spec: toJson(entry.spec),
              next_run_at: entry.nextRunAt,
              last_run_at: null,
              updated_at: now,
            })
            .onConflict((oc) =>
              oc.columns(["installation_id", "owner", "repo", "name"]).doUpdateSet((eb) => ({
                cron: eb.ref("excluded.cron"),
                timezone: eb.ref("excluded.timezone"),
                spec: eb.ref("excluded.spec"),
                updated_at: eb.ref("excluded.updated_at"),
                // An unchanged timing keeps its pending occurrence: recomputing
                // it from "now" could skip one that is due but not yet claimed.
                next_run_at: eb
                  .case()
                  .when(
                    eb.and([
                      eb("schedules.cron", "=", eb.ref("excluded.cron")),
                      eb("schedules.timezone", "=", eb.ref("excluded.timezone")),
                    ]),
                  )
                  .then(eb.ref("schedules.next_run_at"))
                  .else(eb.ref("excluded.next_run_at"))
                  .end(),
              })),
            )
            .execute();
        }
      });
    },

    async listForRepo(repo) {
      const rows = await db.selectFrom("schedules").selectAll().where(inRepo(repo)).orderBy("name").execute();
      return rows.map(toRecord);
    },

    async removeForRepo(repo) {
      const result = await db.deleteFrom("schedules").where(inRepo(repo)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async removeForInstallation(installationId) {
      const result = await db.deleteFrom("schedules").where("installation_id", "=", installationId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async due(now) {
      const rows = await db
        .selectFrom("schedules")
        .selectAll()
        .where("next_run_at", "<=", now)
        .orderBy("next_run_at")
        .orderBy("installation_id")
        .orderBy("owner")
        .orderBy("repo")
        .orderBy("name")
        .execute();
      return rows.map(toRecord);
    },

    async claim(key, expectedNextRunAt, newNextRunAt) {
      const result = await db
        .updateTable("schedules")
        .set({ next_run_at: newNextRunAt, last_run_at: expectedNextRunAt, updated_at: clock.now() })
        .where(inRepo(key))
        .where("name", "=", key.name)
        .where("next_run_at", "=", expectedNextRunAt)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

/** Filter of the rows of one repository. */
function inRepo(repo: RepoKey) {
  return (eb: ExpressionBuilder<Database, "schedules">) =>
    eb.and({ installation_id: repo.installationId, owner: repo.owner, repo: repo.repo });
}

function toRecord(row: Selectable<SchedulesTable>): ScheduleRecord {
  return {
    installationId: row.installation_id,
    owner: row.owner,
    repo: row.repo,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    spec: fromJson<JsonValue>(row.spec),
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
  };
}

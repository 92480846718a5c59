import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { CiWaitsTable, Database } from "./schema.js";
import type { CiWait, CiWaitState, CiWaitStore } from "./types.js";

/**
 * The `ci_waits` table: one row per run waiting for its repository's CI.
 * Transitions are conditional updates (`update` with the state expected), so
 * two processes handling the same webhook or the same deadline never both
 * act on one round.
 */
export function createCiWaitStore(db: Kysely<Database>, clock: Clock): CiWaitStore {
  const get = async (runId: string) => {
    const row = await db.selectFrom("ci_waits").selectAll().where("run_id", "=", runId).executeTakeFirst();
    return row === undefined ? undefined : toCiWait(row);
  };
  return {
    async put(wait) {
      const now = clock.now();
      const values = {
        run_id: wait.runId,
        installation_id: wait.installationId,
        owner: wait.owner,
        repo: wait.repo,
        branch: wait.branch,
        head_sha: wait.headSha,
        round: wait.round,
        state: wait.state,
        deadline: wait.deadline,
        signals: 0,
        pr_number: wait.prNumber,
        pr_node_id: wait.prNodeId,
        ready_when_green: wait.readyWhenGreen ? 1 : 0,
        settings: toJson(wait.settings),
        history: toJson(wait.history),
        created_at: now,
        updated_at: now,
      };
      const { run_id: _key, created_at: _created, ...replace } = values;
      await db
        .insertInto("ci_waits")
        .values(values)
        .onConflict((oc) => oc.column("run_id").doUpdateSet(replace))
        .execute();
      return (await get(wait.runId))!;
    },

    get,

    async signalHead({ owner, repo, headSha }) {
      const rows = await db
        .updateTable("ci_waits")
        .set((eb) => ({ signals: eb("signals", "+", 1), updated_at: clock.now() }))
        .where("owner", "=", owner)
        .where("repo", "=", repo)
        .where("head_sha", "=", headSha)
        .where("state", "=", "waiting")
        .returning("run_id")
        .execute();
      return rows.map((row) => row.run_id);
    },

    async listWaiting(options = {}) {
      let query = db.selectFrom("ci_waits").select("run_id").where("state", "=", "waiting");
      if (options.dueBy !== undefined) query = query.where("deadline", "<=", options.dueBy);
      const rows = await query.orderBy("created_at").orderBy("run_id").execute();
      return rows.map((row) => row.run_id);
    },

    async update(runId, patch, expect) {
      let query = db
        .updateTable("ci_waits")
        .set({
          ...(patch.headSha !== undefined ? { head_sha: patch.headSha } : {}),
          ...(patch.round !== undefined ? { round: patch.round } : {}),
          ...(patch.state !== undefined ? { state: patch.state } : {}),
          ...(patch.deadline !== undefined ? { deadline: patch.deadline } : {}),
          ...(patch.history !== undefined ? { history: toJson(patch.history) } : {}),
          updated_at: clock.now(),
        })
        .where("run_id", "=", runId)
        .where("state", "=", expect.state);
      if (expect.signals !== undefined) query = query.where("signals", "=", expect.signals);
      if (expect.round !== undefined) query = query.where("round", "=", expect.round);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

function toCiWait(row: Selectable<CiWaitsTable>): CiWait {
  return {
    runId: row.run_id,
    installationId: Number(row.installation_id),
    owner: row.owner,
    repo: row.repo,
    branch: row.branch,
    headSha: row.head_sha,
    round: row.round,
    state: row.state as CiWaitState,
    deadline: Number(row.deadline),
    signals: row.signals,
    prNumber: row.pr_number === null ? null : Number(row.pr_number),
    prNodeId: row.pr_node_id,
    readyWhenGreen: row.ready_when_green === 1,
    settings: fromJson(row.settings),
    history: fromJson(row.history),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

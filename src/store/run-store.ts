import type { Kysely, Selectable, Updateable } from "kysely";
import type { JsonValue, RunErrorInfo } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { DuplicateRunError, RunNotFoundError, StaleRunError } from "./errors.js";
import { fromJson, toJson, toNullableJson } from "./json-column.js";
import type { Database, RunsTable } from "./schema.js";
import { isUniqueViolation } from "./sql-errors.js";
import type { RunKind, RunPatch, RunRecord, RunRecordStatus, RunStore } from "./types.js";

type RunRow = Selectable<RunsTable>;
type Column = Exclude<keyof RunsTable, "id" | "created_at" | "updated_at" | "version">;

/** How each patchable field maps to its column; JSON fields are serialised. */
const COLUMNS: { readonly [F in keyof Required<RunPatch>]: { column: Column; json: boolean } } = {
  installationId: { column: "installation_id", json: false },
  owner: { column: "owner", json: false },
  repo: { column: "repo", json: false },
  issueNumber: { column: "issue_number", json: false },
  commandCommentId: { column: "command_comment_id", json: false },
  requester: { column: "requester", json: false },
  kind: { column: "kind", json: false },
  task: { column: "task", json: false },
  workflow: { column: "workflow", json: false },
  args: { column: "args", json: true },
  baseRef: { column: "base_ref", json: false },
  baseSha: { column: "base_sha", json: false },
  status: { column: "status", json: false },
  script: { column: "script", json: false },
  plan: { column: "plan", json: true },
  limits: { column: "limits", json: true },
  statusCommentId: { column: "status_comment_id", json: false },
  checkRunId: { column: "check_run_id", json: false },
  prNumber: { column: "pr_number", json: false },
  result: { column: "result", json: true },
  error: { column: "error", json: true },
};

/** The `runs` table. */
export function createRunStore(db: Kysely<Database>, clock: Clock): RunStore {
  async function get(id: string): Promise<RunRecord | undefined> {
    const row = await db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  return {
    async create(run) {
      const now = clock.now();
      const row: RunRow = {
        id: run.id,
        installation_id: run.installationId,
        owner: run.owner,
        repo: run.repo,
        issue_number: run.issueNumber ?? null,
        command_comment_id: run.commandCommentId ?? null,
        requester: run.requester ?? null,
        kind: run.kind,
        task: run.task ?? null,
        workflow: run.workflow ?? null,
        args: toJson(run.args ?? {}),
        base_ref: run.baseRef ?? null,
        base_sha: run.baseSha ?? null,
        status: run.status,
        script: run.script ?? null,
        plan: toNullableJson(run.plan),
        limits: toNullableJson(run.limits),
        status_comment_id: run.statusCommentId ?? null,
        check_run_id: run.checkRunId ?? null,
        pr_number: run.prNumber ?? null,
        result: toNullableJson(run.result),
        error: toNullableJson(run.error),
        created_at: now,
        updated_at: now,
        version: 1,
      };
      try {
        await db.insertInto("runs").values(row).execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = (await get(run.id)) ?? (run.commandCommentId != null ? await findByCommandComment(run.commandCommentId) : undefined);
        throw new DuplicateRunError(run.id, existing?.id ?? null, run.commandCommentId ?? null);
      }
      return toRecord(row);
    },

    get,

    async update(id, patch, options = {}) {
      let query = db
        .updateTable("runs")
        .set({ ...toColumns(patch), updated_at: clock.now() })
        .set((eb) => ({ version: eb("version", "+", 1) }))
        .where("id", "=", id);
      if (options.expectVersion !== undefined) query = query.where("version", "=", options.expectVersion);
      const row = await query.returningAll().executeTakeFirst();
      if (row) return toRecord(row);
      const current = await get(id);
      if (!current) throw new RunNotFoundError(id);
      throw new StaleRunError(id, options.expectVersion ?? current.version, current.version);
    },

    async latestForIssue({ owner, repo, issueNumber }) {
      const row = await db
        .selectFrom("runs")
        .selectAll()
        .where("owner", "=", owner)
        .where("repo", "=", repo)
        .where("issue_number", "=", issueNumber)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async listByStatus(statuses) {
      // `in ()` is not valid SQL; no status asked means no run.
      if (statuses.length === 0) return [];
      const rows = await db
        .selectFrom("runs")
        .selectAll()
        .where("status", "in", [...statuses])
        .orderBy("created_at", "asc")
        .orderBy("id", "asc")
        .execute();
      return rows.map(toRecord);
    },

    async listIdsByStatus(statuses) {
      if (statuses.length === 0) return [];
      const rows = await db
        .selectFrom("runs")
        .select("id")
        .where("status", "in", [...statuses])
        .orderBy("created_at", "asc")
        .orderBy("id", "asc")
        .execute();
      return rows.map((row) => row.id);
    },

    findByCommandComment,

    async listRecent(query = {}) {
      let select = db.selectFrom("runs").selectAll();
      if (query.owner !== undefined) select = select.where("owner", "=", query.owner);
      if (query.repo !== undefined) select = select.where("repo", "=", query.repo);
      if (query.statuses !== undefined) {
        if (query.statuses.length === 0) return [];
        select = select.where("status", "in", [...query.statuses]);
      }
      if (query.before !== undefined) select = select.where("created_at", "<", query.before);
      const rows = await select
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(Math.max(1, Math.min(query.limit ?? 50, 1000)))
        .execute();
      return rows.map(toRecord);
    },
  };

  async function findByCommandComment(commentId: number): Promise<RunRecord | undefined> {
    const row = await db.selectFrom("runs").selectAll().where("command_comment_id", "=", commentId).executeTakeFirst();
    return row && toRecord(row);
  }
}

/** The columns a patch sets; fields left undefined are not touched. */
function toColumns(patch: RunPatch): Updateable<RunsTable> {
  const set: Partial<Record<Column, string | number | null>> = {};
  for (const [field, value] of Object.entries(patch)) {
    const target = COLUMNS[field as keyof RunPatch];
    if (target === undefined || value === undefined) continue;
    if (target.json) set[target.column] = field === "args" ? toJson(value) : toNullableJson(value);
    else set[target.column] = value as string | number | null;
  }
  // Each column got the field COLUMNS maps to it, with that field's type.
  return set as Updateable<RunsTable>;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    installationId: row.installation_id,
    owner: row.owner,
    repo: row.repo,
    issueNumber: row.issue_number,
    commandCommentId: row.command_comment_id,
    requester: row.requester,
    kind: row.kind as RunKind,
    task: row.task,
    workflow: row.workflow,
    args: fromJson<JsonValue>(row.args),
    baseRef: row.base_ref,
    baseSha: row.base_sha,
    status: row.status as RunRecordStatus,
    script: row.script,
    plan: fromJson<JsonValue>(row.plan),
    limits: fromJson<JsonValue>(row.limits),
    statusCommentId: row.status_comment_id,
    checkRunId: row.check_run_id,
    prNumber: row.pr_number,
    result: fromJson<JsonValue>(row.result),
    error: fromJson<RunErrorInfo>(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

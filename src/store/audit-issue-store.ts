import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database } from "./schema.js";
import type { AuditIssueStore } from "./types.js";

/** The `audit_issues` table: the issue each audit reports into and the findings already in it. */
export function createAuditIssueStore(db: Kysely<Database>, clock: Clock): AuditIssueStore {
  return {
    async get({ owner, repo, audit }) {
      const row = await db
        .selectFrom("audit_issues")
        .select(["issue_number", "fingerprints"])
        .where("owner", "=", owner)
        .where("repo", "=", repo)
        .where("audit_name", "=", audit)
        .executeTakeFirst();
      return row && { issueNumber: row.issue_number, fingerprints: fromJson<string[]>(row.fingerprints) ?? [] };
    },

    async set({ owner, repo, audit }, { issueNumber, fingerprints }) {
      const values = { issue_number: issueNumber, fingerprints: toJson(fingerprints), updated_at: clock.now() };
      await db
        .insertInto("audit_issues")
        .values({ owner, repo, audit_name: audit, ...values })
        .onConflict((oc) => oc.columns(["owner", "repo", "audit_name"]).doUpdateSet(values))
        .execute();
    },
  };
}

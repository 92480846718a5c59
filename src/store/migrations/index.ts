/**
 * Every schema migration, in order, compiled into the package (no migration
 * folder to ship or find at run time). Append new ones; never edit or reorder
 * one that has shipped: databases record which names they have applied.
 *
 * A database may apply them out of order (0003 before 0002: numbers are
 * assigned ahead of time, features ship when ready), so a migration only
 * creates or extends what it owns: its own tables, its own new nullable or
 * defaulted columns, its own indexes. It never renames, drops or rewrites
 * what another migration made, nor reads its data.
 */
import type { Migration, MigrationProvider } from "kysely";
import * as initialSchema from "./0001-initial-schema.js";
import * as ciWaits from "./0002-ci-waits.js";
import * as transcripts from "./0003-transcripts.js";
import * as deliveryClaims from "./0004-delivery-claims.js";
import * as branchCleanups from "./0005-branch-cleanups.js";
import * as changeObjects from "./0006-change-objects.js";

const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-initial-schema": initialSchema,
  "0002-ci-waits": ciWaits,
  "0003-transcripts": transcripts,
  "0004-delivery-claims": deliveryClaims,
  "0005-branch-cleanups": branchCleanups,
  "0006-change-objects": changeObjects,
});

/** Kysely's migration provider over the in-code list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

/** Names of all migrations, in order: what a fully migrated database has applied. */
export const MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(MIGRATIONS));

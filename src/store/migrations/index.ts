/**
 * Every schema migration, in order, compiled into the package (no migration
 * folder to ship or find at run time). Append new ones; never edit or reorder
 * one that has shipped: databases record which names they have applied.
 */
import type { Migration, MigrationProvider } from "kysely";
import * as initialSchema from "./0001-initial-schema.js";
import * as transcripts from "./0003-transcripts.js";

const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-initial-schema": initialSchema,
  "0003-transcripts": transcripts,
});

/** Kysely's migration provider over the in-code list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

/** Names of all migrations, in order: what a fully migrated database has applied. */
export const MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(MIGRATIONS));

/**
 * Errors the store raises on purpose. Database driver errors that are not one
 * of these (a lost connection, a full disk) are rethrown unchanged.
 */
import { DynflowError, messageOf } from "../errors.js";

/** `runs.update` was given a version the run no longer has: someone else updated it first. */
export class StaleRunError extends DynflowError {
  declare readonly code: "stale_run";

  constructor(
    readonly runId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      "stale_run",
      `run ${runId} is at version ${actualVersion}, not ${expectedVersion}: another process updated it first. ` +
        `Read the run again and re-apply the change to the new version.`,
    );
  }
}

/** The run does not exist. */
export class RunNotFoundError extends DynflowError {
  declare readonly code: "run_not_found";

  constructor(readonly runId: string) {
    super("run_not_found", `run ${runId} does not exist`);
  }
}

/**
 * `runs.create` found a run with the same id, or one started by the same
 * command comment (one comment starts at most one run).
 */
export class DuplicateRunError extends DynflowError {
  declare readonly code: "duplicate_run";

  constructor(
    readonly runId: string,
    /** The run already recorded for the same id or command comment, when it could be found. */
    readonly existingRunId: string | null,
    readonly commandCommentId: number | null,
  ) {
    super(
      "duplicate_run",
      existingRunId === runId
        ? `run ${runId} already exists`
        : `command comment ${commandCommentId} already started run ${existingRunId ?? "(unknown)"}; run ${runId} was not recorded`,
    );
  }
}

/** `openStore` was given options it cannot use. Never echoes the URL: it may hold a password. */
export class StoreConfigError extends DynflowError {
  declare readonly code: "store_config";

  constructor(message: string) {
    super("store_config", message);
  }
}

/** The schema could not be brought up to date on start. */
export class StoreMigrationError extends DynflowError {
  declare readonly code: "store_migration";

  constructor(
    readonly engine: "sqlite" | "postgres",
    /** The migration that failed, or null when the failure came before any migration ran. */
    readonly migration: string | null,
    cause: unknown,
  ) {
    const detail = messageOf(cause);
    super(
      "store_migration",
      `could not migrate the ${engine} database${migration ? ` (migration ${migration})` : ""}: ${detail}. ` +
        `Check that the database is reachable and that its user may create tables.`,
      { cause },
    );
  }
}

/** A store method was called with an argument outside what it accepts. */
export class StoreArgumentError extends DynflowError {
  declare readonly code: "store_argument";

  constructor(
    readonly argument: string,
    message: string,
  ) {
    super("store_argument", message);
  }
}

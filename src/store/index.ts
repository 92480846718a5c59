export { appendEventsInOrder, type EventAppends } from "./append-events-in-order.js";
export { openStore, type OpenStoreOptions } from "./open-store.js";
export { startPruning, type PruningOptions } from "./start-pruning.js";
export { DEFAULT_SQLITE_PATH } from "./connect-sqlite.js";
export { MIGRATION_NAMES } from "./migrations/index.js";
export * from "./errors.js";
export type * from "./types.js";

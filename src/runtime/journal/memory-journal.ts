import type { Journal, JournalEntry } from "../types.js";

/**
 * A journal in process memory, for tests, `simulate` and single-shot CLI runs.
 * Entries are copied in and out, so a caller mutating a result cannot change
 * what a later replay sees.
 */
export class MemoryJournal implements Journal {
  private readonly store = new Map<string, JournalEntry>();

  /** Starts with `entries` already journaled (e.g. from a previous run's report). */
  constructor(entries: Iterable<JournalEntry> = []) {
    for (const entry of entries) this.store.set(entry.key, structuredClone(entry));
  }

  async get(key: string): Promise<JournalEntry | undefined> {
    const entry = this.store.get(key);
    return entry && structuredClone(entry);
  }

  /** Keeps the first entry of a key, like the SQL journal: a result is paid for once. */
  async put(entry: JournalEntry): Promise<void> {
    if (!this.store.has(entry.key)) this.store.set(entry.key, structuredClone(entry));
  }

  /** Every entry, in the order first journaled. */
  entries(): JournalEntry[] {
    return [...this.store.values()].map((entry) => structuredClone(entry));
  }

  get size(): number {
    return this.store.size;
  }
}

/**
 * PostgreSQL for the tests of the scaled deployment (Redis is checked by
 * `test/queue/redis-harness.ts`): without a server they are skipped with a
 * message, except in CI, where they fail.
 */
import { describe, expect, it } from "vitest";
import { DATABASE_URL, postgresAnswers } from "./deployment.js";

const postgres = await postgresAnswers();

/** `describe` for tests that need PostgreSQL; see the module comment. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (!postgres && !process.env.CI) {
    const reason = `needs a PostgreSQL server: none answers at ${new URL(DATABASE_URL).host}; start one or set DATABASE_URL`;
    console.warn(`${name} skipped: ${reason}`);
    describe(name, () => it.skip(reason, () => {}));
    return;
  }
  describe(name, () => {
    it("has a PostgreSQL server to talk to", () => {
      // In CI a missing server must fail rather than skip.
      expect(postgres).toBe(true);
    });
    body();
  });
}

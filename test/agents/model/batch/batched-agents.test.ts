import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchModelClient } from "../../../../src/agents/model/batch/create-batch-model-client.js";
import type { JsonValue } from "../../../../src/runtime/types.js";
import { agentRequest, conversationOf, reply, reportedSpend, startHarness, TEST_MODEL, TEST_PRICE, type Harness } from "../../agent-harness.js";

const VERDICT = {
  type: "object",
  required: ["verdict", "evidence"],
  properties: { verdict: { enum: ["refuted", "upheld"] }, evidence: { type: "string" } },
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ "src/routes/users.ts": "export function list(req) {\n  return db.users.all();\n}\n" }, { fake: { batchDelayMs: 5 } });
});
afterEach(async () => {
  await h.close();
});

describe("agents over the batch model client", () => {
  it("runs concurrent agents turn by turn through shared batches, at half the price", async () => {
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("search", { pattern: "session" });
      return reply.toolUse("finish", { summary: "no session check", result: { verdict: "upheld", evidence: "src/routes/users.ts:1 reads no session" } });
    });
    // A batch is handed over when both agents' requests are in it (maxBatch), never on a timer that a loaded
    // machine could outrun: the flush window is far longer than any test, so batching is decided by content.
    const model = createBatchModelClient({ apiKey: "sk-test-0123456789abcdef", baseURL: h.api.url, prices: { [TEST_MODEL]: TEST_PRICE }, flushMs: 600_000, maxBatch: 2, pollMs: 5 });
    const runner = h.runner({ model });
    const claims = ["list() has no auth check (src/routes/users.ts:1)", "list() leaks every user (src/routes/users.ts:2)"];
    const results = await Promise.all(
      claims.map((claim, i) => {
        const subject = { change: null, claim } as unknown as JsonValue;
        return runner.run(agentRequest(`Try to refute: ${claim}`, { role: "refuter", schema: VERDICT, subject, label: `finding ${i + 1}` }, { agentId: `r${i + 1}` }));
      }),
    );

    expect(results.map((r) => r.output)).toEqual(claims.map(() => ({ verdict: "upheld", evidence: "src/routes/users.ts:1 reads no session" })));
    // Two agents, two turns each: one batch per turn, each carrying both agents' requests.
    const creates = h.api.requests.filter((r) => r.path === "/v1/messages/batches");
    expect(creates.map((r) => r.body.requests.length)).toEqual([2, 2]);
    expect(h.api.requests.filter((r) => r.path === "/v1/messages" && !r.batch)).toEqual([]);

    const paid = results.reduce((sum, r) => sum + r.costUsd, 0);
    const list = reportedSpend(h.api.requests.filter((r) => r.batch).map(conversationOf)).costUsd;
    expect(list).toBeGreaterThan(0);
    expect(paid).toBeCloseTo(list / 2, 12);
    expect(model.totals()).toMatchObject({ batches: 2, requests: 4, succeeded: 4 });
    expect(model.totals().listCostUsd).toBeCloseTo(list, 12);
  });
});

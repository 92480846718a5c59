import { describe, expect, it } from "vitest";
import { batchSpendOf, batchTotalsOf } from "../../../src/app/finish/batch-spend.js";
import type { ModelClient } from "../../../src/agents/model/index.js";

describe("batchSpendOf", () => {
  it("takes this execution's standard price from the client's totals", () => {
    const spend = batchSpendOf({ costUsd: 0.6, freshCostUsd: 0.6 }, { costUsd: 0.6, listCostUsd: 1.2 });
    expect(spend.costUsd).toBe(0.6);
    expect(spend.listCostUsd).toBeCloseTo(1.2, 12);
    expect(spend.savedUsd).toBeCloseTo(0.6, 12);
  });

  it("counts agents replayed from the journal at the price they were batched at, without the client having seen them", () => {
    // A resumed run: $0.40 paid by the first execution (batched), $0.20 now.
    const spend = batchSpendOf({ costUsd: 0.6, freshCostUsd: 0.2 }, { costUsd: 0.2, listCostUsd: 0.4 });
    expect(spend.listCostUsd).toBeCloseTo(1.2, 12);
    expect(spend.savedUsd).toBeCloseTo(0.6, 12);
  });

  it("never reports a negative saving", () => {
    expect(batchSpendOf({ costUsd: 0, freshCostUsd: 0 }, { costUsd: 0, listCostUsd: 0 })).toEqual({ costUsd: 0, listCostUsd: 0, savedUsd: 0 });
  });
});

describe("batchTotalsOf", () => {
  it("reads a batch client's totals and nothing from any other client", () => {
    const plain: ModelClient = { createMessage: async () => ({}) as never };
    expect(batchTotalsOf(plain)).toBeNull();
    const totals = { batches: 1, requests: 2, succeeded: 2, failed: 0, aborted: 0, costUsd: 0.1, listCostUsd: 0.2 };
    expect(batchTotalsOf({ ...plain, totals: () => totals } as ModelClient)).toEqual(totals);
  });
});

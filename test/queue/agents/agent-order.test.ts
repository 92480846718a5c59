import { describe, expect, it } from "vitest";
import { AGENTS_PER_ROUND, agentRound, processAgentOrder } from "../../../src/queue/agents/agent-order.js";

describe("the order of waiting agents", () => {
  it("counts a run's agents in rounds of eight", () => {
    expect(AGENTS_PER_ROUND).toBe(8);
    expect([0, 7, 8, 15, 16, -1, Number.NaN, Number.POSITIVE_INFINITY].map(agentRound)).toEqual([0, 0, 1, 1, 2, 0, 0, 0]);
  });

  it("in the process: an earlier round first, then the older run, with ages to the millisecond", () => {
    const now = Date.UTC(2026, 11, 4);
    expect(processAgentOrder(7, now + 10_000)).toBeLessThan(processAgentOrder(8, now));
    expect(processAgentOrder(5, now)).toBeLessThan(processAgentOrder(0, now + 1));
    expect(processAgentOrder(0, now)).toBe(processAgentOrder(7, now));
    // Far rounds share the last one, and the key stays an exact integer.
    expect(processAgentOrder(10 ** 9, now)).toBe(processAgentOrder(10 ** 7, now));
    expect(Number.isSafeInteger(processAgentOrder(10 ** 9, now))).toBe(true);
    expect(processAgentOrder(0, Number.NaN)).toBe(0);
  });
});

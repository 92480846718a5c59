import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_ALIASES, isModelAlias, mergeAliases, resolveModelAlias } from "../../../src/agents/model/model-aliases.js";
import { DEFAULT_PRICES, priceFor } from "../../../src/agents/model/models.js";

describe("model shortcuts", () => {
  it("point at priced models by default", () => {
    for (const id of Object.values(DEFAULT_MODEL_ALIASES)) expect(() => priceFor(id, DEFAULT_PRICES), id).not.toThrow();
  });

  it("resolve regardless of case and Claude Code's [1m] suffix; inherit is no model; ids pass through", () => {
    const aliases = mergeAliases({ haiku: "claude-haiku-4-5", cheap: "claude-haiku-5-5" });
    expect(resolveModelAlias("Haiku", aliases)).toBe("claude-haiku-4-5");
    expect(resolveModelAlias("sonnet[1m]", aliases)).toBe("claude-sonnet-5-5");
    expect(resolveModelAlias("cheap", aliases)).toBe("claude-haiku-5-5");
    expect(resolveModelAlias("inherit", aliases)).toBeUndefined();
    expect(resolveModelAlias(undefined, aliases)).toBeUndefined();
    expect(resolveModelAlias("claude-opus-4-8", aliases)).toBe("claude-opus-4-8");
    expect(isModelAlias("INHERIT", aliases)).toBe(true);
    expect(isModelAlias("claude-opus-4-8", aliases)).toBe(false);
  });
});

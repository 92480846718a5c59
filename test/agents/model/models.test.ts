import { describe, expect, it } from "vitest";
import { UnknownModelPriceError } from "../../../src/agents/model/errors.js";
import {
  costOf,
  DEFAULT_MODELS,
  DEFAULT_PRICES,
  priceFor,
  usageFromApi,
  type ModelPrice,
} from "../../../src/agents/model/models.js";

describe("priceFor", () => {
  it("prices every default model, so no role's spend is counted as zero", () => {
    for (const model of Object.values(DEFAULT_MODELS)) {
      expect(() => priceFor(model)).not.toThrow();
    }
  });

  it("prices a dated snapshot id like its alias", () => {
    expect(priceFor("claude-haiku-4-5-20251001")).toBe(DEFAULT_PRICES["claude-haiku-4-5"]);
  });

  it("uses an override table, including models the defaults do not know", () => {
    const mine: ModelPrice = { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 };
    const table = { ...DEFAULT_PRICES, "claude-opus-5-5": mine, "my-proxy-model": mine };
    expect(priceFor("claude-opus-5-5", table)).toBe(mine);
    expect(priceFor("my-proxy-model", table)).toBe(mine);
  });

  it("refuses an unknown model with an error that names it and says how to add it", () => {
    let caught: unknown;
    try {
      priceFor("claude-imaginary-9");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownModelPriceError);
    const error = caught as UnknownModelPriceError;
    expect(error.code).toBe("unknown_model_price");
    expect(error.model).toBe("claude-imaginary-9");
    expect(error.knownModels).toContain("claude-opus-5-5");
    expect(error.message).toContain('"claude-imaginary-9"');
    expect(error.message).toContain("price table");
  });
});

describe("costOf", () => {
  const price: ModelPrice = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

  it("prices all four token kinds per million tokens", () => {
    // 2,000 x $3 + 1,000 x $15 + 100,000 x $3.75 + 1,000,000 x $0.30, per million
    const usage = { input: 2000, output: 1000, cacheWrite: 100_000, cacheRead: 1_000_000 };
    expect(costOf(usage, price)).toBeCloseTo(0.006 + 0.015 + 0.375 + 0.3, 10);
  });

  it("counts nothing for no tokens", () => {
    expect(costOf({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, price)).toBe(0);
  });

  it("switches every rate, output included, for a prompt over the long-prompt threshold", () => {
    const tiered: ModelPrice = {
      ...price,
      longPrompt: { thresholdTokens: 100, input: 10, output: 100, cacheWrite: 20, cacheRead: 1 },
    };
    const atThreshold = { input: 50, output: 10, cacheWrite: 30, cacheRead: 20 };
    const over = { ...atThreshold, cacheRead: 21 };
    expect(costOf(atThreshold, tiered)).toBeCloseTo((50 * 3 + 10 * 15 + 30 * 3.75 + 20 * 0.3) / 1e6, 12);
    expect(costOf(over, tiered)).toBeCloseTo((50 * 10 + 10 * 100 + 30 * 20 + 21 * 1) / 1e6, 12);
  });
});

describe("usageFromApi", () => {
  it("maps the API's usage fields, counting missing cache fields as zero", () => {
    expect(
      usageFromApi({ input_tokens: 7, output_tokens: 3, cache_creation_input_tokens: 1500, cache_read_input_tokens: 900 }),
    ).toEqual({ input: 7, output: 3, cacheWrite: 1500, cacheRead: 900 });
    expect(usageFromApi({ input_tokens: 7, output_tokens: 3, cache_creation_input_tokens: null })).toEqual({
      input: 7,
      output: 3,
      cacheWrite: 0,
      cacheRead: 0,
    });
  });
});

/**
 * The price table as configuration writes it (`prices:` in the repository
 * config, `DYNFLOW_PRICES` in the environment): model id to US dollars per
 * million tokens, the same shape as the built-in table.
 */
import { z } from "zod";
import type { ModelPrice, PriceTable } from "../agents/model/index.js";

/** A model id: letters, digits and `.`, `_`, `:`, `@`, `/`, `-` (provider ids included). */
export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;

/** A model id field. */
export const modelIdSchema = z.string({ error: "must be a model id such as claude-opus-5-5" }).regex(MODEL_ID, {
  error: "must be a model id such as claude-opus-5-5 (letters, digits, . _ : @ / -)",
});

const dollars = z
  .number({ error: "must be a price in US dollars per million tokens, e.g. 2.5" })
  .nonnegative({ error: "must be 0 or more (US dollars per million tokens)" })
  .finite({ error: "must be a finite number" });

const rates = {
  input: dollars,
  output: dollars,
  cacheWrite: dollars,
  cacheRead: dollars,
};

/** One model's price; `longPrompt` is optional as in the built-in table. */
export const modelPriceSchema: z.ZodType<ModelPrice> = z.strictObject({
  ...rates,
  longPrompt: z
    .strictObject({
      thresholdTokens: z.int({ error: "must be a whole number of tokens" }).positive({ error: "must be more than 0" }),
      ...rates,
    })
    .optional(),
});

/** A price table (overrides merge over the built-in prices by model id). */
export const priceTableSchema: z.ZodType<PriceTable> = z.record(modelIdSchema, modelPriceSchema);

/**
 * The sandbox's Intl.NumberFormat (English) and toLocaleString against Node's
 * ICU on the same values and options.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

type Case = [number | string, Intl.NumberFormatOptions?];

const CASES: Case[] = [
  [1234567.891],
  [0],
  ["-0"],
  [-1234.5],
  [0.1 + 0.2],
  [1.005, { maximumFractionDigits: 2 }],
  [2.5, { maximumFractionDigits: 0 }],
  [-2.5, { maximumFractionDigits: 0 }],
  [999.9999, { maximumFractionDigits: 2 }],
  [1e21],
  [1.5e-7, { maximumFractionDigits: 10 }],
  [12, { minimumFractionDigits: 2 }],
  [7, { minimumIntegerDigits: 3 }],
  [1234.5, { style: "currency", currency: "USD" }],
  [-1234.5, { style: "currency", currency: "USD" }],
  [1234.5, { style: "currency", currency: "EUR" }],
  [1234.5, { style: "currency", currency: "JPY" }],
  [1234.5, { style: "currency", currency: "USD", currencyDisplay: "code" }],
  [-5, { style: "currency", currency: "USD", currencySign: "accounting" }],
  [0.256, { style: "percent" }],
  [0.25678, { style: "percent", maximumFractionDigits: 1 }],
  [999, { notation: "compact" }],
  [1234, { notation: "compact" }],
  [15300, { notation: "compact" }],
  [999999, { notation: "compact" }],
  [1500000, { notation: "compact" }],
  [2.5e9, { notation: "compact", compactDisplay: "long" }],
  [1234, { useGrouping: false }],
  [1234, { useGrouping: "min2" }],
  [12345, { useGrouping: "min2" }],
  [5, { signDisplay: "always" }],
  [0, { signDisplay: "exceptZero" }],
  [-3, { signDisplay: "never" }],
  [123.456, { maximumSignificantDigits: 2 }],
  [0.00012345, { maximumSignificantDigits: 3 }],
  [12, { style: "unit", unit: "kilobyte" }],
  [1, { style: "unit", unit: "second", unitDisplay: "long" }],
  [3, { style: "unit", unit: "second", unitDisplay: "long" }],
  [NaN],
  [-Infinity],
];

describe("Intl.NumberFormat in the sandbox", () => {
  it("formats every case as Node does in en-US", async () => {
    const outcome = await runGuest(
      `return args.map(([value, options]) => new Intl.NumberFormat("en-US", options ?? undefined).format(typeof value === "string" ? Number(value) : value));`,
      { args: CASES.map(([value, options]) => [typeof value === "number" && !Number.isFinite(value) ? String(value) : value, (options ?? null) as never]) },
    );
    // -0, NaN and Infinity do not survive JSON: the guest gets them as strings, which Number() turns back.
    expect(outcome.error).toBeNull();
    const expected = CASES.map(([value, options]) => new Intl.NumberFormat("en-US", options).format(Number(value)));
    (outcome.result as string[]).forEach((got, i) => expect(got, JSON.stringify(CASES[i])).toBe(expected[i]));
  });

  it("backs toLocaleString, formatToParts and resolvedOptions, and refuses what it cannot do", async () => {
    const outcome = await runGuest(`const nf = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" });
const errors = [];
for (const make of [() => new Intl.NumberFormat("en", { style: "currency" }), () => new Intl.NumberFormat("en", { minimumFractionDigits: 3, maximumFractionDigits: 1 }), () => new Intl.DateTimeFormat("en")]) {
  try { make(); errors.push(null); } catch (error) { errors.push(error.name + ": " + error.message); }
}
return {
  locale: (1234.5).toLocaleString(), en: (1234.5).toLocaleString("de-DE"), big: 12345678901234567890n.toLocaleString(), options: (0.5).toLocaleString("en-US", { style: "percent" }),
  parts: nf.formatToParts(-1234.56).map((p) => p.type + ":" + p.value), resolved: nf.resolvedOptions().locale, bound: [1, 2].map(nf.format), errors,
};`);
    expect(outcome.error).toBeNull();
    const nf = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
    expect(outcome.result).toEqual({
      locale: (1234.5).toLocaleString("en-US"),
      // Every locale formats as English in a script (documented): results never depend on the host.
      en: (1234.5).toLocaleString("en-US"),
      big: 12345678901234567890n.toLocaleString("en-US"),
      options: (0.5).toLocaleString("en-US", { style: "percent" }),
      parts: nf.formatToParts(-1234.56).map((p) => `${p.type}:${p.value}`),
      resolved: "en-US",
      bound: [1, 2].map(nf.format),
      errors: [expect.stringMatching(/^TypeError: .*currency is required/), expect.stringMatching(/^RangeError/), expect.stringMatching(/^TypeError: Intl.DateTimeFormat is not available in a dynflow script/)],
    });
  });
});

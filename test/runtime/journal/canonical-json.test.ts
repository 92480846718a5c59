import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/runtime/journal/canonical-json.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined members and writes undefined array items as null, like JSON", () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("keeps a __proto__ key as data", () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe("canonicalJson is RFC 8785", () => {
  it("orders integer-like keys as strings, by UTF-16 code units (JSON.stringify puts them first, numerically)", () => {
    expect(canonicalJson({ 9: "nine", 10: "ten", b: 1, a: 2 })).toBe('{"10":"ten","9":"nine","a":2,"b":1}');
  });

  it("matches the RFC's sorting and number examples", () => {
    // RFC 8785, 3.2.3: keys sorted by UTF-16 code units.
    const keys = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };
    const order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\u{1f600}", "\ufb33"] as const;
    expect(canonicalJson(keys)).toBe(`{${order.map((key) => `${JSON.stringify(key)}:${JSON.stringify(keys[key])}`).join(",")}}`);
    expect(canonicalJson({ n: [Number("333333333.33333329"), 1e30, 4.5, 0.002, 1e-27, -0] })).toBe('{"n":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}');
  });

  it("still gives a key for values RFC 8785 refuses: NaN, infinities, lone surrogates", () => {
    expect(canonicalJson({ a: Number.NaN, b: Infinity })).toBe('{"a":null,"b":null}');
    expect(canonicalJson({ s: "bad \ud800 half" })).toBe('{"s":"bad \ufffd half"}');
  });
});

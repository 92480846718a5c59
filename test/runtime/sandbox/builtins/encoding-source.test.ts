/**
 * TextEncoder, TextDecoder, atob and btoa in the sandbox against Node's.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

const TEXTS = ["", "plain ascii", "héllo €", "emoji 😀 and 𝄞", "lone \ud800 surrogate", "\ufeffbom first"];
const BYTES = [[0xff, 0x41], [0xe2, 0x82], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80, 0x41], [0xef, 0xbb, 0xbf, 0x68, 0x69]];

describe("TextEncoder, TextDecoder, atob and btoa in the sandbox", () => {
  it("encode and decode UTF-8 as Node does, invalid bytes, streaming and fatal mode included", async () => {
    const body = `const encoded = args.texts.map((t) => Array.from(new TextEncoder().encode(t)));
const decoded = args.bytes.map((b) => new TextDecoder().decode(new Uint8Array(b)));
const fatal = args.bytes.map((b) => { try { new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(b)); return "ok"; } catch (e) { return e.name; } });
const stream = new TextDecoder();
const euro = [0xe2, 0x82, 0xac];
const streamed = stream.decode(new Uint8Array(euro.slice(0, 2)), { stream: true }) + "|" + stream.decode(new Uint8Array(euro.slice(2)));
const into = new Uint8Array(4);
const result = new TextEncoder().encodeInto("aé€", into);
let label;
try { new TextDecoder("latin1"); label = "accepted"; } catch (e) { label = e.name; }
return { encoded, decoded, fatal, streamed, into: [result.read, result.written, Array.from(into)], label, ignoreBOM: new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])) };`;
    const outcome = await runGuest(body, { args: { texts: TEXTS, bytes: BYTES } });
    expect(outcome.error).toBeNull();
    const stream = new TextDecoder();
    const into = new Uint8Array(4);
    const result = new TextEncoder().encodeInto("aé€", into);
    expect(outcome.result).toEqual({
      encoded: TEXTS.map((t) => Array.from(new TextEncoder().encode(t))),
      decoded: BYTES.map((b) => new TextDecoder().decode(new Uint8Array(b))),
      fatal: BYTES.map((b) => {
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(b));
          return "ok";
        } catch {
          return "TypeError";
        }
      }),
      streamed: `${stream.decode(new Uint8Array([0xe2, 0x82]), { stream: true })}|${stream.decode(new Uint8Array([0xac]))}`,
      into: [result.read, result.written, Array.from(into)],
      // Only UTF-8 is offered: a script has no other encoding to meet.
      label: "RangeError",
      ignoreBOM: new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])),
    });
  });

  it("base64-encode and decode Latin-1 strings as Node does, and refuse what Node refuses", async () => {
    const inputs = ["", "f", "fo", "foo", "hello world", "\u00ff\u00fe binary"];
    const encoded = ["", "Zg", "Zg==", "Zm9v", " aGVs bG8=\n", "aGVsbG8", "a"];
    const body = `const attempt = (f) => { try { return f(); } catch (e) { return e.name; } };
return { btoa: args.inputs.map((s) => btoa(s)), atob: args.encoded.map((s) => attempt(() => atob(s))), wide: attempt(() => btoa("€")) };`;
    const outcome = await runGuest(body, { args: { inputs, encoded } });
    const attempt = (f: () => string) => {
      try {
        return f();
      } catch (error) {
        return (error as Error).name;
      }
    };
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual({ btoa: inputs.map((s) => btoa(s)), atob: encoded.map((s) => attempt(() => atob(s))), wide: "InvalidCharacterError" });
  });
});

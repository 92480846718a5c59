/**
 * The sandbox's URL and URLSearchParams against Node's (the WHATWG reference
 * implementation) on the same inputs.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

const CASES: [string, string?][] = [
  ["https://example.com"],
  ["https://Example.COM:443/a/../b c?x=1&y=%20z#frag"],
  ["http://user:pa ss@host.test:8080/p/./q/../r?"],
  ["HTTPS://docs.python.org/3/library/urllib.parse.html#url-parsing"],
  ["https://a.com/x/y/z", undefined],
  ["../c?q", "https://a.com/x/y/z"],
  ["./d", "https://a.com/x/y/"],
  ["/root", "https://a.com/x/y?z#w"],
  ["?only=query", "https://a.com/x/y?z#w"],
  ["#only-hash", "https://a.com/x/y?z#w"],
  ["", "https://a.com/x/y?z#w"],
  ["//other.org/p", "https://a.com/x"],
  ["https:relative", "https://a.com/x/y"],
  ["http://0x7f.1/"],
  ["http://192.168.0.257/"],
  ["http://[0:0::1]:8080/"],
  ["http://[2001:db8:0:0:1:0:0:1]/"],
  ["https://例え.jp/パス"],
  ["https://bücher.de/?q=ä"],
  ["http://a.com:80/"],
  ["ws://a.com:80/chat"],
  ["wss://a.com:443/chat"],
  ["ftp://files.test:21/pub"],
  ["file:///C:/x/y.txt"],
  ["file:///home/user/notes.md"],
  ["mailto:someone@example.com?subject=hi"],
  ["data:text/plain,hello%20world"],
  ["urn:isbn:0451450523"],
  ["git+ssh://git@github.com/owner/repo.git"],
  ["https://a.com/%7Euser/%2e%2E/x"],
  ["https://a.com/a\\b\\c"],
  ["  https://trim.test/ \n"],
  ["https://a.com/path with spaces/'quote'?a='b'&c=<d>#`e`"],
  ["https://a.com:65536/"],
  ["https://"],
  ["not a url"],
  ["/relative/without/base"],
  ["http://exa mple.com/"],
  ["https://a.com/x", "mailto:a@b.c"],
  ["https://a.com/?utm_source=x&id=7&utm_medium=y"],
];

const PARTS = ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash", "origin"] as const;

function describeUrl(input: string, base?: string): Record<string, string> | "error" {
  try {
    const url = base === undefined ? new URL(input) : new URL(input, base);
    return Object.fromEntries(PARTS.map((part) => [part, url[part]]));
  } catch {
    return "error";
  }
}

describe("URL in the sandbox", () => {
  it("parses every case as Node's WHATWG URL does", async () => {
    const outcome = await runGuest(
      `const parts = ${JSON.stringify(PARTS)};
return args.map(([input, base]) => {
  try {
    const url = base === null ? new URL(input) : new URL(input, base);
    return Object.fromEntries(parts.map((p) => [p, url[p]]));
  } catch (error) {
    if (!(error instanceof TypeError)) return "wrong error: " + error;
    return "error";
  }
});`,
      { args: CASES.map(([input, base]) => [input, base ?? null]) },
    );
    expect(outcome.error).toBeNull();
    const expected = CASES.map(([input, base]) => describeUrl(input, base));
    const got = outcome.result as unknown[];
    CASES.forEach(([input, base], i) => expect(got[i], `${input} (base ${base})`).toEqual(expected[i]));
  });

  it("keeps searchParams and search in step, and edits like Node", async () => {
    const steps = `const u = new URL("https://a.com/p?utm_source=x&id=7&utm_medium=y&tag=a&tag=b");
for (const key of [...u.searchParams.keys()]) if (key.startsWith("utm_")) u.searchParams.delete(key);
u.searchParams.append("q", "a b&c=d/é");
u.searchParams.set("tag", "c");
const afterParams = u.href;
u.search = "?x=1&x=2";
const all = u.searchParams.getAll("x");
u.hash = "top"; u.pathname = "/a/../b"; u.port = "8443"; u.hostname = "B.example";
const p = new URLSearchParams([["b", "2"], ["a", "1"], ["a", "0"]]);
p.sort();
const fromObject = new URLSearchParams({ "k y": "v+w", n: 1 }).toString();
const parsed = [...new URLSearchParams("?a=1+2&b=%E2%82%AC&c&=d&e=%zz")];
return { afterParams, all, href: u.href, sorted: p.toString(), size: p.size, has: [p.has("a"), p.has("a", "0"), p.has("z")], fromObject, parsed, json: JSON.stringify({ u }), canParse: [URL.canParse("x:"), URL.canParse("/x"), URL.canParse("/x", "https://a.b")], parse: URL.parse("nope") };`;
    const outcome = await runGuest(steps);
    // The same steps in Node.
    const expected = new Function(`${steps.replace(/^const u/, "const u")}`)();
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

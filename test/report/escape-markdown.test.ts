import { describe, expect, it } from "vitest";
import {
  cell,
  codeSpan,
  escapeInline,
  fenceFor,
  mermaidLabel,
  safeLogin,
  safeUrl,
  truncate,
} from "../../src/report/escape-markdown.js";

/** Splits a table row on the pipes GFM would split on (unescaped ones). */
const splitRow = (row: string) => row.split(/(?<!\\)\|/);

describe("escapeInline", () => {
  it("neutralises HTML, comments, emphasis, math, links and mentions", () => {
    const out = escapeInline("<!-- hide --> <img src=x> **b** _i_ $x$ [l](u) `c` ~s~ @octocat @acme/team a\\b & c");
    expect(out).toBe(
      "&lt;!-- hide --&gt; &lt;img src=x&gt; \\*\\*b\\*\\* \\_i\\_ \\$x\\$ \\[l\\](u) \\`c\\` \\~s\\~ " +
        "@&#8203;octocat @&#8203;acme/team a\\\\b &amp; c",
    );
    expect(out).not.toMatch(/<|>/);
  });

  it("keeps one line: newlines become the given separator, control characters go", () => {
    expect(escapeInline("a\r\nb\n\nc\u0007\td")).toBe("a b c d");
    expect(escapeInline("a\nb", "<br>")).toBe("a<br>b");
  });
});

describe("cell", () => {
  it("cannot add a column or end the row", () => {
    const row = `| ${cell("a | b\n| c |")} | x |`;
    expect(splitRow(row)).toHaveLength(4);
    expect(row).not.toContain("\n");
  });

  it("bounds the text and ends a cut with an ellipsis", () => {
    expect(cell("x".repeat(500), 10)).toBe(`${"x".repeat(9)}…`);
  });
});

describe("truncate", () => {
  it("counts code points, so it never splits a surrogate pair", () => {
    expect(truncate("😀😀😀😀", 3)).toBe("😀😀…");
    expect(truncate("short", 10)).toBe("short");
  });
});

describe("codeSpan", () => {
  it("uses more backticks than the text holds and pads a leading or trailing one", () => {
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`x`")).toBe("`` `x` ``");
    expect(codeSpan("plain")).toBe("`plain`");
  });

  it("escapes pipes inside a table", () => {
    expect(codeSpan("a|b", { table: true })).toBe("`a\\|b`");
    expect(codeSpan("a|b")).toBe("`a|b`");
  });
});

describe("fenceFor", () => {
  it("is at least three backticks and longer than any run in the text", () => {
    expect(fenceFor("no ticks")).toBe("```");
    expect(fenceFor("```js\n````\n")).toBe("`````");
  });
});

describe("mermaidLabel", () => {
  it("escapes quotes, brackets and hashes with entity codes and stays on one line", () => {
    const label = mermaidLabel('Fix "auth"\n--> <b>#1</b> & `x`');
    expect(label).toBe("Fix #34;auth#34; --#62; #60;b#62;#35;1#60;/b#62; #38; #96;x#96;");
    expect(label).not.toMatch(/["<>\n`]/);
  });
});

describe("safeUrl and safeLogin", () => {
  it("accepts http(s) only and encodes parentheses", () => {
    expect(safeUrl("https://github.com/a/b/runs/1")).toBe("https://github.com/a/b/runs/1");
    expect(safeUrl("https://x.test/a)(b")).toBe("https://x.test/a%29%28b");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("not a url")).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
  });

  it("accepts GitHub logins only", () => {
    expect(safeLogin("octo-cat")).toBe("octo-cat");
    expect(safeLogin("dependabot[bot]")).toBe("dependabot[bot]");
    expect(safeLogin("evil](x)")).toBeNull();
    expect(safeLogin("-leading")).toBeNull();
  });
});

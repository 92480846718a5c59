import { describe, expect, it } from "vitest";
import { extractTaskTerms } from "../../src/plan/extract-task-terms.js";

describe("extractTaskTerms", () => {
  it("takes code-shaped words and leaves prose alone", () => {
    expect(extractTaskTerms("migrate all callers of fetchJson to the new HttpClient, honouring MAX_RETRIES")).toEqual({
      paths: [],
      identifiers: ["fetchJson", "HttpClient", "MAX_RETRIES"],
    });
  });

  it("takes paths, directories and base names, without sentence punctuation", () => {
    const terms = extractTaskTerms("Fix src/http/client.ts (and ./src/billing/). See parse-script.ts.");
    expect(terms.paths).toEqual(["src/http/client.ts", "src/billing/", "parse-script.ts"]);
  });

  it("trusts backticks and calls for plain words, and reads snippets for what they call", () => {
    const terms = extractTaskTerms("rename `retry` to `retryWithBackoff`, update `request(url, opts)` and client.get() callers");
    expect(terms.identifiers).toEqual(["retry", "retryWithBackoff", "request", "client.get"]);
  });

  it("ignores URLs and abbreviations", () => {
    expect(extractTaskTerms("add headers, e.g. like https://example.com/docs/page.md says")).toEqual({ paths: [], identifiers: [] });
  });

  it("caps the number of terms", () => {
    const task = Array.from({ length: 30 }, (_, i) => `fooBar${i}`).join(" ");
    expect(extractTaskTerms(task, 5).identifiers).toEqual(["fooBar0", "fooBar1", "fooBar2", "fooBar3", "fooBar4"]);
  });
});

import { describe, expect, it } from "vitest";
import { SlugRegistry, resultBranch, slugify, workerBranch } from "../../src/workspace/slugify.js";

describe("slugify", () => {
  it("makes lowercase [a-z0-9-] slugs", () => {
    expect(slugify("Migrate src/Api (v2)!")).toBe("migrate-src-api-v2");
    expect(slugify("  Café  déjà-vu  ")).toBe("cafe-deja-vu");
    expect(slugify("***")).toBe("agent");
    expect(slugify("")).toBe("agent");
  });

  it("transliterates letters and symbols instead of dropping them", () => {
    expect(slugify("Straße & Ærø")).toBe("strasse-and-aero");
    expect(slugify("Ελληνικά")).toBe("ellinika");
  });

  it("cuts long labels at 48 characters without a trailing dash", () => {
    const slug = slugify(`${"a".repeat(47)} tail`);
    expect(slug).toBe("a".repeat(47));
    expect(slugify("word ".repeat(30)).length).toBeLessThanOrEqual(48);
    expect(slugify("word ".repeat(30))).not.toMatch(/-$/);
  });
});

describe("SlugRegistry", () => {
  it("de-duplicates within a run with numeric suffixes, deterministically", () => {
    const claim = (registry: SlugRegistry) => ["Fix tests", "fix tests", "Fix-Tests", "fix tests 2", "Other"].map((l) => registry.claim(l));
    const first = claim(new SlugRegistry());
    expect(first).toEqual(["fix-tests", "fix-tests-2", "fix-tests-3", "fix-tests-2-2", "other"]);
    expect(claim(new SlugRegistry())).toEqual(first);
  });

  it("keeps suffixed slugs within the length limit and skips reserved names", () => {
    const registry = new SlugRegistry(["result"]);
    expect(registry.claim("Result")).toBe("result-2");
    const long = "x".repeat(60);
    registry.claim(long);
    const second = registry.claim(long);
    expect(second).toBe(`${"x".repeat(46)}-2`);
  });
});

describe("workerBranch", () => {
  it("builds dynflow/<run>/<slug> and refuses unsafe components", () => {
    expect(workerBranch("run-42", "fix-tests")).toBe("dynflow/run-42-work/fix-tests");
    expect(resultBranch("run-42")).toBe("dynflow/run-42");
    for (const bad of ["", "a b", "-x", "a..b", "x.lock", "a/b", "x.", "é"]) {
      expect(() => workerBranch("run", bad)).toThrow(expect.objectContaining({ code: "invalid_ref_name" }));
    }
  });
});

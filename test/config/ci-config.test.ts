import { describe, expect, it } from "vitest";
import { ciWaitOf, DEFAULT_CI } from "../../src/config/ci-config.js";
import { parseRepoConfig } from "../../src/config/repo-config.js";

function ciOf(yaml: string) {
  const result = parseRepoConfig(yaml);
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config.ci;
}

function errorsOf(yaml: string) {
  const result = parseRepoConfig(yaml);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("the ci: block of .github/dynflow.yml", () => {
  it("is off without the block, and every default with `ci: true`", () => {
    expect(ciOf("")).toBeNull();
    expect(ciWaitOf(ciOf(""))).toBeNull();
    expect(ciOf("ci: true")).toEqual(DEFAULT_CI);
    expect(DEFAULT_CI).toEqual({ wait: true, repairRounds: 2, timeoutMinutes: 60, checks: null, ignore: [] });
  });

  it("takes rounds, timeout, the checks that count and those ignored", () => {
    const ci = ciOf("ci:\n  repairRounds: 0\n  timeoutMinutes: 90\n  checks: [build, \"test (*)\"]\n  ignore: [codecov/*]\n");
    expect(ci).toEqual({ wait: true, repairRounds: 0, timeoutMinutes: 90, checks: ["build", "test (*)"], ignore: ["codecov/*"] });
    expect(ciWaitOf(ci)).toBe(ci);
  });

  it("does not wait with `wait: false` or `ci: false`", () => {
    expect(ciWaitOf(ciOf("ci:\n  wait: false\n"))).toBeNull();
    expect(ciWaitOf(ciOf("ci: false"))).toBeNull();
  });

  it("lists every problem of the block with its path and what it must be", () => {
    const errors = errorsOf("ci:\n  repairRounds: 11\n  timeoutMinutes: 0\n  checks: []\n  ignore: [\"\"]\n  wiat: true\n");
    const byPath = Object.fromEntries(errors.map((error) => [error.path, error.message]));
    expect(byPath["ci.repairRounds"]).toContain("whole number from 0 to 10");
    expect(byPath["ci.timeoutMinutes"]).toContain("number of minutes from 0.05 to 1440");
    expect(byPath["ci.checks"]).toContain("list at least one check");
    expect(byPath["ci.ignore[0]"]).toContain("must not be empty");
    expect(byPath["ci.wiat"]).toContain("wait");
  });

  it("says what the block may be when it is neither true, false nor a mapping", () => {
    expect(errorsOf("ci: sometimes")[0]).toMatchObject({ path: "ci" });
    expect(errorsOf("ci: sometimes")[0]!.message).toContain("true, false or a mapping");
  });

  it("reads back a stored config unchanged (run settings keep it)", () => {
    const ci = ciOf("ci:\n  checks: [build]\n");
    const again = parseRepoConfig({ ci });
    expect(again.ok && again.config.ci).toEqual(ci);
  });
});

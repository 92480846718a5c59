import { DEFAULT_COMMAND_LIMITS } from "../../src/command-sandbox/index.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS, DEFAULT_PRICES } from "../../src/agents/model/models.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from "../../src/config/repo-config.js";
import { DEFAULT_PROTECTED_PATHS } from "../../src/workspace/check-path.js";
import { DEFAULT_WEB_TOOLS } from "../../src/web-tools/web-tools-config.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");

function expectOk(input: unknown): RepoConfig {
  const result = parseRepoConfig(input);
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config;
}

function errorsOf(input: unknown) {
  const result = parseRepoConfig(input);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("parseRepoConfig: defaults", () => {
  it("fills every default for an empty file, null, or an empty mapping", () => {
    for (const input of [fixture("empty.yml"), "", null, undefined, {}]) expect(expectOk(input)).toEqual(DEFAULT_REPO_CONFIG);
  });

  it("uses the documented defaults", () => {
    expect(DEFAULT_REPO_CONFIG).toEqual({
      enabled: true,
      models: { ...DEFAULT_MODELS },
      caps: { maxConcurrency: 16, maxAgents: 1000, maxItems: 4096, maxTurns: 40, deadlineMinutes: 360 },
      budget: { tokens: null, usd: null },
      approval: { aboveAgents: 25, aboveTokens: 1_500_000 },
      approvalOverrun: 2,
      forks: { push: false },
      modules: "auto",
      protectedPaths: [...DEFAULT_PROTECTED_PATHS],
      refuters: 2,
      rounds: 3,
      prices: {},
      audits: [],
      modelAliases: {},
      web: { ...DEFAULT_WEB_TOOLS },
      ci: null,
      commands: {},
      setup: [],
      sandbox: { allow: [], setupNetwork: false, env: {}, limits: { ...DEFAULT_COMMAND_LIMITS } },
    });
  });

  it("fills defaults inside a section that sets only some keys", () => {
    const config = expectOk("caps:\n  maxAgents: 50\nmodels:\n  worker: claude-sonnet-5-5\n");
    expect(config.caps).toEqual({ ...DEFAULT_REPO_CONFIG.caps, maxAgents: 50 });
    expect(config.models).toEqual({ ...DEFAULT_MODELS, worker: "claude-sonnet-5-5" });
  });
});

describe("parseRepoConfig: valid files", () => {
  it("reads every key of the full example", () => {
    const config = expectOk(fixture("valid.yml"));
    expect(config.caps).toEqual({ maxConcurrency: 32, maxAgents: 300, maxItems: 500, maxTurns: 60, deadlineMinutes: 90 });
    expect(config.budget).toEqual({ tokens: 20_000_000, usd: 75.5 });
    expect(config.approval).toEqual({ aboveAgents: 50, aboveUsd: 20 });
    expect(config.modules).toEqual([
      { name: "api", globs: ["src/api/**"] },
      { name: "web", globs: ["src/web/**", "public/**"] },
    ]);
    expect(config.models.resolver).toBe("acme-coder-2");
    expect(config.prices["acme-coder-2"]?.longPrompt?.thresholdTokens).toBe(200_000);
    expect(config.audits[0]).toEqual({
      name: "weekly-deps",
      cron: "0 6 * * MON",
      workflow: "audit-deps",
      args: { severity: "high", paths: ["src"] },
      budget: { tokens: 2_000_000, usd: 10 },
      batch: true,
      timezone: "Europe/Paris",
    });
    expect(config.refuters).toBe(3);
    expect(config.rounds).toBe(2);
  });

  it("runs the bundled audit workflow when an audit names none", () => {
    expect(expectOk({ audits: [{ name: "nightly", cron: "@daily", args: "missing auth checks" }] }).audits).toEqual([
      { name: "nightly", cron: "@daily", workflow: "audit", args: "missing auth checks" },
    ]);
  });

  it("reads an inline task as what the bundled audit looks for", () => {
    expect(expectOk({ audits: [{ name: "auth", cron: "0 6 * * 1", task: "  route handlers without an auth check  " }] }).audits).toEqual([
      { name: "auth", cron: "0 6 * * 1", workflow: "audit", args: "route handlers without an auth check" },
    ]);
    const both = parseRepoConfig({ audits: [{ name: "auth", cron: "@daily", task: "x", args: "y" }] });
    const other = parseRepoConfig({ audits: [{ name: "deps", cron: "@daily", task: "x", workflow: "deps-check" }] });
    expect(both.ok || both.errors.map((e) => e.path)).toEqual(["audits[0].task"]);
    expect(other.ok || other.errors[0]?.message).toMatch(/inline task runs the bundled audit/);
  });

  it("keeps the built-in protected paths when the file lists its own", () => {
    expect(expectOk(fixture("valid.yml")).protectedPaths).toEqual([".github/workflows/**", "migrations/**"]);
    expect(expectOk({ protectedPaths: [".github/workflows/**"] }).protectedPaths).toEqual([".github/workflows/**"]);
  });

  it("accepts the approval keywords and an object already parsed by Probot", () => {
    expect(expectOk({ approval: "always" }).approval).toBe("always");
    expect(expectOk({ approval: "never", enabled: false })).toMatchObject({ approval: "never", enabled: false });
  });

  it("ignores Probot's _extends key", () => {
    expect(expectOk({ _extends: ".github", rounds: 4 }).rounds).toBe(4);
  });
});

describe("parseRepoConfig: errors", () => {
  it("reports every cap problem with its path and the value it got", () => {
    expect(errorsOf(fixture("invalid-caps.yml"))).toEqual([
      { path: "caps.maxConcurrency", message: "must be a whole number from 1 to 256 (got 300)" },
      { path: "caps.maxAgents", message: "must be a whole number from 1 to 100000 (got 0)" },
      { path: "caps.maxItems", message: "must be a whole number from 1 to 4096 (got 5000)" },
      { path: "caps.maxTurns", message: "must be a whole number from 1 to 1000 (got 2.5)" },
      { path: "caps.deadlineMinutes", message: 'must be a whole number from 1 to 10080 (got "soon")' },
    ]);
  });

  it("reports bad YAML as one problem of the file, with the line", () => {
    const errors = errorsOf(fixture("bad-yaml.yml"));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe("");
    expect(errors[0]?.message).toMatch(/^is not valid YAML: .*line 2/);
  });

  it("rejects a file that is not a mapping", () => {
    for (const input of ["- a\n- b\n", "just text", 42]) {
      expect(errorsOf(input)).toEqual([{ path: "", message: expect.stringContaining("must be a mapping") }]);
    }
  });

  it("names unknown keys and suggests the one that was meant", () => {
    const errors = errorsOf(fixture("unknown-keys.yml"));
    expect(errors).toContainEqual({ path: "caps.maxConcurency", message: "is not a setting dynflow knows; did you mean maxConcurrency?" });
    expect(errors).toContainEqual({ path: "approval.aboveAgent", message: "is not a setting dynflow knows; did you mean aboveAgents?" });
    expect(errors).toContainEqual({ path: "cpas", message: "is not a setting dynflow knows; did you mean caps?" });
    const retries = errors.find((error) => error.path === "caps.retries");
    expect(retries?.message).toContain("settings here: maxConcurrency, maxAgents, maxItems, maxTurns, deadlineMinutes");
  });

  it("checks audits: cron, names, duplicates, time zones, required keys", () => {
    expect(errorsOf(fixture("invalid-audits.yml"))).toEqual([
      { path: "audits[0].cron", message: expect.stringContaining("Invalid value for hour: 25") },
      { path: "audits[1].cron", message: expect.stringContaining("has 5 fields") },
      { path: "audits[1].workflow", message: expect.stringContaining('(got "Audit Deps")') },
      { path: "audits[1].timezone", message: expect.stringContaining("is not a time zone") },
      { path: "audits[2].cron", message: expect.stringMatching(/^is required: it must be a cron expression/) },
      { path: "audits[1].name", message: 'audit "weekly" is defined twice' },
    ]);
  });

  it("reports problems across sections in one pass", () => {
    const paths = errorsOf(fixture("invalid-mixed.yml")).map((error) => error.path);
    expect(paths).toEqual(["enabled", "budget.usd", "approval", "modules", "refuters", "rounds", "prices.bad model"]);
  });

  it("rejects empty approval thresholds and duplicate module names", () => {
    expect(errorsOf({ approval: {} })).toEqual([{ path: "approval", message: "give at least one of aboveAgents, aboveUsd, aboveTokens" }]);
    const modules = [
      { name: "api", globs: ["a/**"] },
      { name: "api", globs: [] },
    ];
    expect(errorsOf({ modules })).toEqual([
      { path: "modules[1].globs", message: "must list at least one glob (got an empty list)" },
      { path: "modules[1].name", message: 'module "api" is defined twice' },
    ]);
  });

  it("requires a price for every model it names, from built-in, app or file prices", () => {
    expect(errorsOf({ models: { worker: "acme-coder-2" } })).toEqual([
      { path: "models.worker", message: expect.stringContaining('has no price for "acme-coder-2": add it under prices') },
    ]);
    const price = { input: 1, output: 2, cacheWrite: 1, cacheRead: 0.1 };
    expect(parseRepoConfig({ models: { worker: "acme-coder-2" } }, { prices: { ...DEFAULT_PRICES, "acme-coder-2": price } }).ok).toBe(true);
    expect(parseRepoConfig({ models: { worker: "acme-coder-2" }, prices: { "acme-coder-2": price } }).ok).toBe(true);
  });
});

describe("parseRepoConfig: model shortcuts", () => {
  it("resolves a role's model given as a shortcut, through the repository's own shortcuts first", () => {
    const config = expectOk("models:\n  refuter: haiku\n  worker: fast\nmodelAliases:\n  fast: claude-sonnet-5\n");
    expect(config.models.refuter).toBe("claude-haiku-5-5");
    expect(config.models.worker).toBe("claude-sonnet-5");
    expect(config.modelAliases).toEqual({ fast: "claude-sonnet-5" });
  });

  it("lets a shortcut be redirected", () => {
    expect(expectOk("modelAliases:\n  opus: claude-opus-4-8\nmodels:\n  planner: opus\n").models.planner).toBe("claude-opus-4-8");
  });

  it("refuses inherit as a role's model, a shortcut to an unpriced model, and bad shortcut names", () => {
    expect(errorsOf("models:\n  worker: inherit\n")).toEqual([expect.objectContaining({ path: "models.worker", message: expect.stringContaining("inherit") })]);
    expect(errorsOf("modelAliases:\n  cheap: acme-1\n")).toEqual([expect.objectContaining({ path: "modelAliases.cheap", message: expect.stringContaining("no price") })]);
    expect(errorsOf("modelAliases:\n  Fast_One: claude-haiku-5-5\n")[0]?.path).toBe("modelAliases.Fast_One");
    expect(errorsOf("modelAliases:\n  inherit: claude-haiku-5-5\n")[0]?.path).toBe("modelAliases.inherit");
  });
});

describe("parseRepoConfig: web tools", () => {
  it("is off by default and reads every key", () => {
    expect(DEFAULT_REPO_CONFIG.web.search).toBe(false);
    const config = expectOk("web:\n  search: true\n  allowedDomains: [docs.python.org, example.com/blog]\n  maxSearches: 20\n  maxUsesPerAgent: 3\n");
    expect(config.web).toEqual({ ...DEFAULT_WEB_TOOLS, search: true, allowedDomains: ["docs.python.org", "example.com/blog"], maxSearches: 20, maxUsesPerAgent: 3 });
  });

  it("refuses both domain lists, a domain with a scheme, and unknown keys", () => {
    expect(errorsOf("web:\n  search: true\n  allowedDomains: [a.com]\n  blockedDomains: [b.com]\n")[0]?.path).toBe("web.blockedDomains");
    expect(errorsOf("web:\n  allowedDomains: [https://a.com]\n")[0]).toMatchObject({ path: "web.allowedDomains[0]", message: expect.stringContaining("without a scheme") });
    expect(errorsOf("web:\n  serch: true\n")[0]?.message).toContain("search");
  });
});

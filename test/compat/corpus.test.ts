/**
 * The compatibility corpus: workflow scripts in the shapes Claude Code's own
 * scripts take (phases in meta, pipelines over schema results, model shortcuts
 * per phase and per call, agent types, nested saved, bundled and path
 * workflows, args objects and strings, budget loops, loop-until-dry, judge
 * panels, majority refutation, web research with URL de-duplication, console,
 * Intl, text codecs, and the usual mistakes), each run unchanged through
 * `dynflow simulate` against a repository with agent definitions, a saved
 * workflow and web tools turned on. See test/compat/README.md.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { SimulateJson } from "../../src/cli/simulate-command.js";
import { makeRepo, removeDir, type FixtureRepo } from "../workspace/git-fixture.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SCRIPTS = join(HERE, "scripts");
const FIXTURE = join(HERE, "fixture-repo");

interface Case {
  /** Flags after `--json --repo <fixture> --seed 1`. */
  flags?: string[];
  exit?: number;
  check: (json: SimulateJson) => void;
}

const ok = (json: SimulateJson) => {
  expect(json.status, JSON.stringify(json.error)).toBe("ok");
  expect(json.error).toBeNull();
};

const CASES: Record<string, Case> = {
  "01-audit-routes.js": {
    check: (j) => {
      ok(j);
      expect(j.phases).toEqual([{ title: "Find", agents: 1 }, { title: "Audit", agents: j.agents.total - 1 }]);
      expect(j.result).toEqual({ files: j.agents.total - 1, audited: j.agents.total - 1 });
    },
  },
  "02-find-verify-pipeline.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { checked: number; confirmed: number; rejected: number };
      expect(j.phases.map((p) => p.title)).toEqual(["Find", "Verify"]);
      expect(j.phases[1]?.agents).toBe(result.checked);
      expect(result.confirmed + result.rejected).toBe(result.checked);
      // Varied verdicts: some findings survive, some do not.
      expect(result.confirmed).toBeGreaterThan(0);
      expect(result.rejected).toBeGreaterThan(0);
    },
  },
  "03-explain-quiz.js": {
    check: (j) => {
      ok(j);
      expect(j.phases).toEqual([{ title: "Explain", agents: 4 }, { title: "Quiz", agents: 4 }]);
      expect(j.result).toEqual(["thunk", "barrier", "idempotent", "memoization"].map((term) => ({ term, choices: 4, answerInRange: true })));
    },
  },
  "04-model-per-phase.js": {
    check: (j) => {
      ok(j);
      const { real } = j.result as { real: number };
      expect(j.models).toEqual({ "claude-haiku-5-5": 3, ...(real > 0 ? { "claude-opus-5-5": real } : {}) });
    },
  },
  "05-model-shortcuts-per-call.js": {
    check: (j) => {
      ok(j);
      // haiku, sonnet, opus, fable, inherit (the worker's model) and a pinned id.
      expect(j.models).toEqual({ "claude-fable-5-1": 1, "claude-haiku-5-5": 1, "claude-opus-4-8": 1, "claude-opus-5-5": 2, "claude-sonnet-5-5": 1 });
      expect(j.agents.maxConcurrent).toBe(6);
    },
  },
  "06-agent-types.js": {
    check: (j) => {
      ok(j);
      const { modules, reviewed } = j.result as { modules: number; reviewed: number };
      expect(reviewed).toBe(modules);
      // Explore is built in (the role's model); the repository's reviewer says sonnet.
      expect(j.models).toEqual({ "claude-opus-5-5": 1, "claude-sonnet-5-5": modules });
    },
  },
  "07-agent-type-typo.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ ok: 1, failed: 1 });
      expect(j.failures).toEqual([{ agent: "a2", label: "Review src/b.ts", error: expect.stringContaining('agent type "reveiwer" not found: looked for .claude/agents/reveiwer.md') }]);
    },
  },
  "08-nested-saved-workflow.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { dir: string; findings: number }[];
      expect(result.map((r) => r.dir)).toEqual(["src/billing", "src/search"]);
      for (const r of result) expect(r.findings).toBeGreaterThanOrEqual(1);
      expect(j.models).toEqual({ "claude-sonnet-5-5": 2 });
    },
  },
  "09-nested-script-path.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ summary: { topic: "release notes", parts: 3 } });
    },
  },
  "10-nested-bundled.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ keys: ["audited", "findings", "problem", "refuted", "unverified"], problem: "missing input validation" });
      expect(j.phases.map((p) => p.title)).toEqual(["Find", "Refute"]);
    },
  },
  "11-args-object.js": {
    flags: ["--args", JSON.stringify({ issues: [101, 102, 103], mode: "fast" })],
    check: (j) => {
      ok(j);
      const result = j.result as { triaged: { issue: number; label: string }[]; mode: string };
      expect(result.mode).toBe("fast");
      expect(result.triaged.map((t) => t.issue)).toEqual([101, 102, 103]);
      for (const t of result.triaged) expect(["bug", "feature", "question"]).toContain(t.label);
    },
  },
  "12-args-string.js": {
    flags: ["--args", JSON.stringify("why is the build slow?")],
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ question: "why is the build slow?", angles: 3 });
    },
  },
  "13-budget-loop.js": {
    flags: ["--budget-tokens", "300000"],
    check: (j) => {
      ok(j);
      const result = j.result as { rounds: number; stoppedBy: string };
      expect(result.stoppedBy).toBe("budget");
      expect(result.rounds).toBeGreaterThan(0);
      expect(j.agents.total).toBe(result.rounds + 1);
    },
  },
  "14-loop-until-dry.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { rounds: number; flaky: string[]; endedDry: boolean };
      expect(result.endedDry).toBe(true);
      expect(result.rounds).toBeGreaterThanOrEqual(3);
      expect(result.rounds).toBeLessThan(10);
      expect(j.agents.total).toBe(result.rounds * 3);
      expect(result.flaky.length).toBeGreaterThan(1);
    },
  },
  "15-judge-panel.js": {
    check: (j) => {
      ok(j);
      expect(j.phases).toEqual([{ title: "Draft", agents: 3 }, { title: "Judge", agents: 9 }, { title: "Synthesize", agents: 1 }]);
      const result = j.result as { winner: string; ranked: string[] };
      expect([...result.ranked].sort()).toEqual(["fastest delivery", "safest rollout", "simplest change"]);
      expect(result.winner).toBe(result.ranked[0]);
    },
  },
  "16-majority-refute.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { kept: string[]; votes: number[] };
      const claims = ["cache key ignores locale", "retry loop never backs off", "token compared with ==="];
      expect(j.agents.total).toBe(9);
      // A claim is kept unless a majority (2 of 3) refuted it.
      expect(result.kept).toEqual(claims.filter((_, i) => (result.votes[i] as number) < 2));
    },
  },
  "17-deep-research.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { sources: number; claims: number; supported: number };
      // URL de-duplication worked: fewer distinct sources than found, each read once.
      expect(j.phases.find((p) => p.title === "Read")?.agents).toBe(result.sources);
      expect(result.sources).toBeGreaterThan(0);
      expect(result.supported).toBeLessThanOrEqual(result.claims);
      // Researchers (haiku, with the repository's web search and fetch) and haiku voters; the report on the role's model.
      expect(j.models["claude-haiku-5-5"]).toBe(3 + result.sources + result.claims);
      expect(j.costUsd).toBeGreaterThan((3 + result.sources) * 0.01);
    },
  },
  "18-url-cleanup.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { extra: string[]; params: string; date: string; unique: number; copied: number };
      expect(result.extra).toEqual(["https://example.com/b?id=1", "http://example.com/b?id=1", "https://xn--r8jz45g.jp/%E3%83%89%E3%82%AD%E3%83%A5%E3%83%A1%E3%83%B3%E3%83%88"]);
      expect(result.params).toBe("q=node+permissions&page=2");
      expect(result.copied).toBe(result.unique);
      expect(result.date).toBe("1970-01-01T00:00:00.000Z");
    },
  },
  "19-console-logging.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ printed: true });
    },
  },
  "20-cost-summary.js": {
    check: (j) => {
      ok(j);
      const { line, compact } = j.result as { line: string; compact: string };
      expect(line).toMatch(/^\d{1,3}(,\d{3})* files, \d+(\.\d)? h, \$\d{1,3}(,\d{3})*\.\d{2}, \d+(\.\d)?% of the repo$/);
      expect(compact).toBe("1.2M");
    },
  },
  "21-byte-budgets.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { chunks: number; summaries: number; roundTrip: boolean };
      expect(result.chunks).toBeGreaterThan(1);
      expect(result.summaries).toBe(result.chunks);
      expect(result.roundTrip).toBe(true);
    },
  },
  "22-barrier-dedupe.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { distinct: string[]; verified: number };
      expect(result.distinct).toEqual([...new Set(result.distinct)].sort());
      expect(j.agents.total).toBe(3 + result.distinct.length);
    },
  },
  "23-completeness-critic.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { done: number; leftover: number; rounds: number };
      expect(result.rounds).toBeGreaterThanOrEqual(1);
      expect(result.rounds).toBeLessThanOrEqual(3);
      // Each round: its tasks, then one critic.
      expect(j.agents.total).toBe(result.done + result.rounds);
    },
  },
  "24-effort.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ quick: 2, hard: "string", older: "string" });
      expect(j.warnings).toEqual(['effort "xhigh" is lowered to "high" on claude-sonnet-4-6, the highest level it takes']);
      expect(j.models).toEqual({ "claude-haiku-5-5": 2, "claude-opus-5-5": 1, "claude-sonnet-4-6": 1 });
    },
  },
  "25-early-return.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ reviewed: 0, skipped: true });
      expect(j.agents.total).toBe(1);
    },
  },
  "26-chunked-fanout.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ chunks: 6, lastChunk: 7, checkedAtMost: true });
    },
  },
  "27-null-safety.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ owners: ["billing", "search", "ghost:unknown"], thrown: "invalid_call" });
      expect(j.failures).toHaveLength(1);
    },
  },
  "28-stage-phases.js": {
    check: (j) => {
      ok(j);
      expect(j.phases).toEqual([{ title: "Outline", agents: 4 }, { title: "Write", agents: 4 }, { title: "Edit", agents: 4 }]);
      // No barrier: items move through the stages independently, four at a time at most.
      expect(j.agents.maxConcurrent).toBe(4);
    },
  },
  "29-unawaited-bug.js": {
    exit: 1,
    check: (j) => {
      expect(j.status).toBe("error");
      expect(j.error).toMatchObject({ code: "unawaited_promise", line: 3, message: expect.stringContaining("result.summary") });
      expect(j.result).toBeNull();
    },
  },
  "30-timestamp-args.js": {
    flags: ["--args", JSON.stringify({ since: "2026-11-16T00:00:00Z" })],
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ range: "2026-11-16..2026-11-23", digest: "string", clock: "script_nondeterministic" });
    },
  },
  "31-isolation-and-meta-extras.js": {
    check: (j) => {
      ok(j);
      expect(j.result).toEqual({ edited: 3 });
      // isolation is accepted silently: every dynflow agent is isolated already.
      expect(j.warnings).toEqual([]);
    },
  },
  "32-group-and-sort.js": {
    check: (j) => {
      ok(j);
      const result = j.result as { total: number; counts: { high: number; medium: number; low: number }; sorted: boolean };
      expect(result.sorted).toBe(true);
      expect(result.counts.high + result.counts.medium + result.counts.low).toBe(result.total);
    },
  },
  "33-schema-contradiction.js": {
    exit: 1,
    check: (j) => {
      expect(j.status).toBe("error");
      expect(j.error).toMatchObject({ code: "schema_contradiction", line: 3 });
      expect(j.agents.total).toBe(0);
    },
  },
  "34-unpriced-model.js": {
    exit: 1,
    check: (j) => {
      expect(j.status).toBe("error");
      expect(j.error?.code).toBe("model_without_price");
      expect(j.error?.message).toContain('"gpt-5-turbo"');
      // Refused before any agent started, the priced first one included.
      expect(j.agents.total).toBe(0);
    },
  },
};

let repo: FixtureRepo;

async function filesUnder(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = await readFile(path, "utf8");
  }
  return files;
}

beforeAll(async () => {
  repo = await makeRepo(await filesUnder(FIXTURE));
});
afterAll(async () => {
  await removeDir(repo.dir);
});

describe("the corpus", () => {
  it("has at least 30 scripts, each with its expectation", async () => {
    const scripts = (await readdir(SCRIPTS)).filter((name) => name.endsWith(".js")).sort();
    expect(scripts.length).toBeGreaterThanOrEqual(30);
    expect(scripts).toEqual(Object.keys(CASES).sort());
  });
});

describe.concurrent("corpus scripts through dynflow simulate, unchanged", () => {
  for (const [name, expectation] of Object.entries(CASES)) {
    it(name, async () => {
      let out = "";
      let err = "";
      const code = await main(["simulate", name, "--json", "--repo", repo.dir, "--seed", "1", ...(expectation.flags ?? [])], {
        stdout: (text) => void (out += text),
        stderr: (text) => void (err += text),
        cwd: SCRIPTS,
        isTty: false,
        env: {},
      });
      expect(err).toBe("");
      expect(code).toBe(expectation.exit ?? 0);
      expectation.check(JSON.parse(out) as SimulateJson);
    });
  }
});

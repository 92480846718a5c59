/**
 * `dynflow run --script` end to end with Claude Code's agent features: agent
 * types from `.claude/agents/` at the base commit, model shortcuts per call and
 * per phase, effort, and the repository's web tools. A real temp repository,
 * the real SDK and model client against the fake Messages API.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";

const REVIEWER = `---
name: reviewer
description: Reviews a change for security holes
tools: Read, Grep, Glob
model: sonnet
effort: high
---

You are a security reviewer. Report only exploitable problems, each with path:line.
`;
const RESEARCHER = `---
name: researcher
description: Looks things up on the web
tools: WebSearch, Read
model: haiku
---

You research facts on the web and cite every source URL.
`;

const SCRIPT = `export const meta = {
  name: "typed-review",
  description: "Scan cheaply, review with the repository's reviewer, research on the web",
  phases: [{ title: "Scan", model: "haiku" }, { title: "Review" }],
}
phase("Scan")
const todo = await agent("List the TODO comments in src/", { schema: { type: "object", required: ["todos"], properties: { todos: { type: "array", items: { type: "string" } } } } })
phase("Review")
const review = await agent("Review src/auth.ts for security holes", { agentType: "reviewer" })
const summary = await agent("Summarise the review in one line", { model: "opus", effort: "low" })
const facts = await agent("Find the release notes of the auth library", { agentType: "researcher" })
const missing = await agent("Explore the codebase", { agentType: "explorer" })
return { todos: todo.todos, review, summary, facts, missing }
`;

/** The agent's own block of its first message. */
const assignmentOf = (r: RecordedRequest): string => String(r.body.messages[0].content[1]?.text ?? "");
const systemOf = (r: RecordedRequest): string => (r.body.system as { text: string }[]).map((b) => b.text).join("");
const toolNames = (r: RecordedRequest): string[] => (r.body.tools as { name: string }[]).map((t) => t.name);

function captureIo(env: Record<string, string | undefined>, cwd: string) {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, isTty: false, env };
  return { io, out: () => out, err: () => err };
}

describe("dynflow run: agent types, model shortcuts, effort and web tools (end to end)", () => {
  let api: FakeAnthropic;
  let repo: FixtureRepo;
  let scripts: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    scripts = await tempDir("dynflow-typed-scripts-");
    await writeFile(join(scripts, "typed.js"), SCRIPT);
    await writeFile(join(scripts, "unpriced.js"), `export const meta = { name: "u", description: "d" }\nawait agent("first", { model: "haiku" })\nreturn await agent("second", { model: "acme-frontier" })\n`);
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
  });
  beforeEach(async () => {
    api.requests.length = 0;
    repo = await makeRepo({
      "src/auth.ts": "export function check(token: string) {\n  // TODO: constant-time compare\n  return token === process.env.SECRET;\n}\n",
      ".claude/agents/reviewer.md": REVIEWER,
      ".claude/agents/researcher.md": RESEARCHER,
      ".github/dynflow.yml": "web:\n  search: true\n  allowedDomains: [github.com]\n  maxSearches: 3\n  maxUsesPerAgent: 2\n",
    });
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
    api.handle((request) => {
      const assignment = assignmentOf(request);
      if (assignment.includes("List the TODO")) return reply.toolUse("finish", { summary: "read src/auth.ts", result: { todos: ["constant-time compare"] } });
      if (assignment.includes("Find the release notes")) {
        if (request.body.messages.length === 1) {
          return reply.text("searching", { serverTools: [{ tool: "web_search", query: "auth library release notes", results: [{ url: "https://github.com/acme/auth/releases", title: "Releases" }] }] });
        }
        return reply.toolUse("finish", { summary: "searched once", result: "v2 fixed timing attacks (https://github.com/acme/auth/releases)" });
      }
      if (assignment.includes("Review src/auth.ts")) return reply.toolUse("finish", { summary: "checked auth.ts", result: "src/auth.ts:3 compares tokens with ===" });
      return reply.toolUse("finish", { summary: "done", result: "one line" });
    });
  });

  it("runs each agent on its resolved model with its type's role, tools and effort, and the web within the repository's caps", async () => {
    const cli = captureIo(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "typed.js", "--json"], cli.io);
    const json = JSON.parse(cli.out()) as RunJson;
    // The run ends ok, but the failed agent is a line that did not converge: exit 1 and a draft.
    expect(code).toBe(1);
    expect(json.status).toBe("ok");
    expect(json.draft).toBe(true);
    expect(json.agents).toMatchObject({ total: 5, failed: 1 });

    const requestFor = (marker: string) => api.requests.find((r) => assignmentOf(r).includes(marker)) as RecordedRequest;
    // The phase's shortcut: Scan runs on haiku.
    expect(requestFor("List the TODO").body.model).toBe("claude-haiku-5-5");
    // The reviewer: its definition's model and effort, its role inside dynflow's frame, read tools only.
    const review = requestFor("Review src/auth.ts");
    expect(review.body.model).toBe("claude-sonnet-5-5");
    expect(review.body.output_config).toEqual({ effort: "high" });
    expect(systemOf(review)).toContain("You are a worker agent of dynflow");
    expect(systemOf(review)).toContain("# Your role: reviewer");
    expect(systemOf(review)).toContain("Report only exploitable problems");
    expect(toolNames(review)).toEqual(["list_files", "read_file", "search", "finish"]);
    // A per-call shortcut and effort.
    const summary = requestFor("Summarise the review");
    expect(summary.body.model).toBe("claude-opus-5-5");
    expect(summary.body.output_config).toEqual({ effort: "low" });
    // Without a type an agent has every tool, the web tools the repository turned on included.
    expect(toolNames(summary)).toEqual(["list_files", "read_file", "search", "write_file", "edit_file", "delete_file", "finish", "web_search"]);
    // The researcher gets Anthropic's web search (the repository turned it on), within its domains and caps.
    const research = requestFor("Find the release notes");
    expect(research.body.model).toBe("claude-haiku-5-5");
    expect(toolNames(research)).toEqual(["read_file", "finish", "web_search"]);
    expect(research.body.tools.at(-1)).toMatchObject({ type: "web_search_20260318", max_uses: 2, allowed_domains: ["github.com"] });

    // The unknown type failed alone, saying which file it looked for.
    expect(cli.err()).toContain('agent failed: Explore the codebase: agent type "explorer" not found: looked for .claude/agents/explorer.md');
    expect(await readFile(json.report, "utf8")).toContain("typed-review");
    // Tokens at each model's price plus the one search at $0.01.
    expect(json.costUsd).toBeGreaterThan(0.01);
    // Only the summariser could write, and wrote nothing: nothing to merge.
    expect(await git(repo.dir, "rev-parse", json.branch)).toBe(repo.head);
  });

  it("refuses a script that names a model without a price before any agent starts", async () => {
    const cli = captureIo(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "unpriced.js", "--json"], cli.io);
    expect(code).toBe(1);
    expect(cli.err()).toContain('asks for model "acme-frontier", which has no price');
    expect(cli.err()).toContain("prices:");
    expect(api.requests).toHaveLength(0);
  });

  it("reads agent definitions at --base, not from later commits or the working tree", async () => {
    const base = repo.head;
    await writeFile(join(repo.dir, ".claude/agents/reviewer.md"), REVIEWER.replace("model: sonnet", "model: opus"));
    await git(repo.dir, "commit", "-qam", "reviewer on opus");
    await writeFile(join(repo.dir, ".claude/agents/reviewer.md"), REVIEWER.replace("model: sonnet", "model: haiku"));
    const cli = captureIo(env, scripts);
    await main(["run", "--repo", repo.dir, "--script", "typed.js", "--base", base, "--json"], cli.io);
    expect(api.requests.find((r) => assignmentOf(r).includes("Review src/auth.ts"))?.body.model).toBe("claude-sonnet-5-5");
  });
});

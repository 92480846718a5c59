import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definitionsAtCommit } from "../../src/agent-setup/definition-sources.js";
import { createAgentTypeLoader, type AgentDefinitionSource } from "../../src/agent-setup/load-agent-types.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { git, makeRepo, removeDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";

const def = (name: string, body = "Role.") => `---\nname: ${name}\ndescription: ${name} agent\n---\n${body}\n`;

let repo: FixtureRepo;
let repository: GitRepository;
beforeAll(async () => {
  repo = await makeRepo({
    ".claude/agents/reviewer.md": def("reviewer", "You review."),
    ".claude/agents/review/security.md": def("security-auditor", "You audit security."),
    ".claude/agents/notes.md": "# Notes about our agents\n",
    ".claude/agents/broken.md": "---\nname: broken\n---\n",
    ".claude/agents/Explore.md": def("Explore", "Our own explorer."),
    "src/a.ts": "x\n",
  });
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});
afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

describe("agent types at the base commit", () => {
  it("finds a type by its file name, or by the name: in any definition under .claude/agents", async () => {
    const load = createAgentTypeLoader(definitionsAtCommit(repository, repo.head));
    expect(await load("reviewer")).toMatchObject({ ok: true, definition: { name: "reviewer", prompt: "You review.", source: ".claude/agents/reviewer.md" } });
    expect(await load("security-auditor")).toMatchObject({ ok: true, definition: { source: ".claude/agents/review/security.md" } });
  });

  it("prefers the repository's definition over a built-in type of the same name, and falls back to built-ins", async () => {
    const load = createAgentTypeLoader(definitionsAtCommit(repository, repo.head));
    expect(await load("Explore")).toMatchObject({ ok: true, definition: { prompt: "Our own explorer.", source: ".claude/agents/Explore.md" } });
    expect(await load("Plan")).toMatchObject({ ok: true, definition: { name: "Plan", source: "built-in", tools: ["Read", "Grep", "Glob"] } });
    expect(await load("general-purpose")).toMatchObject({ ok: true, definition: { prompt: "", source: "built-in" } });
  });

  it("fails an unknown type naming the file it looked for, and a broken file naming its problem", async () => {
    const load = createAgentTypeLoader(definitionsAtCommit(repository, repo.head));
    const missing = await load("auditor");
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error).toContain('agent type "auditor" not found: looked for .claude/agents/auditor.md');
      expect(missing.error).toContain(`at commit ${repo.head.slice(0, 12)}`);
      expect(missing.error).toContain("Explore, Plan");
    }
    expect(await load("broken")).toEqual({ ok: false, error: "agent definition .claude/agents/broken.md cannot be used: its front matter has no description" });
    expect(await load("../etc/passwd")).toMatchObject({ ok: false, error: expect.stringContaining("not a valid agent type name") });
  });

  it("reads the base commit, not later commits or the working tree", async () => {
    const base = repo.head;
    await git(repo.dir, "rm", "-q", ".claude/agents/reviewer.md");
    await git(repo.dir, "commit", "-qm", "drop reviewer");
    const atBase = createAgentTypeLoader(definitionsAtCommit(repository, base));
    const atHead = createAgentTypeLoader(definitionsAtCommit(repository, await repository.resolveCommit("HEAD")));
    expect((await atBase("reviewer")).ok).toBe(true);
    expect((await atHead("reviewer")).ok).toBe(false);
  });

  it("looks each type up once per run", async () => {
    const reads: string[] = [];
    const source: AgentDefinitionSource = {
      where: "memory",
      read: async (path) => (reads.push(path), path === ".claude/agents/x.md" ? def("x") : null),
      listMarkdown: async () => [],
    };
    const load = createAgentTypeLoader(source);
    await Promise.all([load("x"), load("x"), load("x")]);
    expect(reads).toEqual([".claude/agents/x.md"]);
  });
});

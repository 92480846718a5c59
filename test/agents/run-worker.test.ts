import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelApiError } from "../../src/agents/model/index.js";
import { AgentFailedError } from "../../src/runtime/errors.js";
import { agentSlug, workerBranch } from "../../src/workspace/index.js";
import { git, show } from "../workspace/git-fixture.js";
import { agentRequest, AUTHOR, RUN_ID, rejectionOf, reply, reportedSpend, startHarness, type Conversation, type Harness } from "./agent-harness.js";

/** The branch of the agent labelled `label` (agent id `a1` unless given). */
const branch = (label: string, agentId = "a1") => workerBranch(RUN_ID, agentSlug(label, `key-${agentId}`));

const FILES = {
  "src/api.ts": 'import { fetchJson } from "./fetch-json";\n\nexport function load() {\n  return fetchJson("/a");\n}\n',
  "src/dup.ts": "x = 1;\nx = 1;\n",
  "docs/readme.md": "# Readme\n",
  ".github/workflows/ci.yml": "on: push\n",
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness(FILES, { symlinks: { "src/link.ts": "api.ts" } });
});
afterEach(async () => {
  await h.close();
});

describe("worker: the tool loop", () => {
  it("lists, reads, edits and finishes, committing the change on its own branch", async () => {
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("list_files", { glob: "src/**" });
      if (c.turn === 2) return reply.toolUse("read_file", { path: "src/api.ts" });
      if (c.turn === 3) return reply.toolUse("edit_file", { path: "src/api.ts", old_text: 'fetchJson("/a")', new_text: 'http.get("/a")' });
      return reply.toolUse("finish", { summary: "src/api.ts: load() uses http.get.", result: "migrated 1 caller" });
    });
    const result = await h.runner().run(agentRequest("Migrate src/api.ts", { label: "Migrate api" }));

    const [, second, third, fourth] = h.conversations();
    expect(second!.results).toEqual([{ content: "3 files match \"src/**\":\nsrc/api.ts\nsrc/dup.ts\nsrc/link.ts\n", isError: false }]);
    expect(third!.results[0]!.content).toContain('     4\t  return fetchJson("/a");');
    expect(third!.results[0]!.content).toMatch(/^src\/api\.ts, lines 1-5 of 5:\n/);
    expect(fourth!.results[0]).toMatchObject({ isError: false, content: expect.stringContaining("Edited src/api.ts") });

    expect(result.output).toBe("migrated 1 caller");
    expect(result.meta).toMatchObject({ summary: "src/api.ts: load() uses http.get.", turns: 4, stopReason: "finished", model: "test-model" });
    const change = result.change!;
    expect(change).toMatchObject({
      branch: branch("migrate-api"),
      base: h.repo.head,
      files: [{ path: "src/api.ts", status: "modified", additions: 1, deletions: 1 }],
      additions: 1,
      deletions: 1,
      incomplete: false,
    });
    expect(await git(h.repo.dir, "rev-parse", change.branch)).toBe(change.commit);
    expect(await show(h.repo.dir, change.commit, "src/api.ts")).toContain('return http.get("/a");');
    expect(await show(h.repo.dir, h.repo.head, "src/api.ts")).toContain('return fetchJson("/a");');
    expect(await git(h.repo.dir, "log", "-1", "--format=%an <%ae>%n%B", change.commit)).toBe(
      `${AUTHOR.name} <${AUTHOR.email}>\nMigrate api\n\nsrc/api.ts: load() uses http.get.`,
    );
  });

  it("returns every tool error to the model as is_error and keeps going", async () => {
    const calls: [string, unknown][] = [
      ["edit_file", { path: "src/api.ts", old_text: "no such text", new_text: "y" }],
      ["edit_file", { path: "src/dup.ts", old_text: "x = 1;", new_text: "x = 2;" }],
      ["write_file", { path: "docs/readme.md", content: "outside" }],
      ["write_file", { path: ".github/workflows/ci.yml", content: "on: pull_request\n" }],
      ["read_file", { path: "../outside.txt" }],
      ["write_file", { path: ".git/config", content: "[core]" }],
      ["write_file", { path: "src/link.ts", content: "through the link" }],
      ["run_shell", { command: "ls" }],
      ["read_file", { start_line: 1 }],
      ["search", { pattern: "(" }],
      ["write_file", { path: "src/new.ts", content: "export const ok = true;\n" }],
    ];
    h.script((c) => {
      const next = calls[c.turn - 1];
      return next ? reply.toolUse(next[0], next[1]) : reply.toolUse("finish", { summary: "added src/new.ts", result: "done" });
    });
    const result = await h.runner().run(agentRequest("Try things", { label: "errors", write: ["src/**", ".github/**"] }));

    const seen = h.conversations().slice(1).map((c) => c.results[0]!);
    const expected = [
      "was not found",
      "occurs 2 times",
      "outside this agent's write scope",
      "is protected",
      'contains ".."',
      "inside a .git directory",
      "symbolic link",
      'no tool named "run_shell"',
      '"path" must be a string',
      "invalid search pattern",
    ];
    expected.forEach((text, i) => {
      expect(seen[i]).toMatchObject({ isError: true });
      expect(seen[i]!.content).toContain(text);
    });
    expect(seen[expected.length]).toEqual({ isError: false, content: "Wrote src/new.ts (1 lines)." });
    expect(result.output).toBe("done");
    expect(result.meta).toMatchObject({ toolErrors: expected.length, toolCalls: calls.length + 1 });
    expect(result.change!.files).toEqual([{ path: "src/new.ts", status: "added", additions: 1, deletions: 0 }]);
  });

  it("returns a result that fails the schema as a tool error, and accepts the repaired one", async () => {
    const schema = { type: "object", required: ["count"], additionalProperties: false, properties: { count: { type: "integer" } } };
    h.script((c) =>
      c.turn === 1
        ? reply.toolUse("finish", { summary: "counted", result: { count: "two" } })
        : reply.toolUse("finish", { summary: "counted", result: { count: 2 } }),
    );
    const result = await h.runner().run(agentRequest("Count the callers", { schema }));

    const [first, second] = h.conversations();
    const finishTool = first!.body.tools.find((t: { name: string }) => t.name === "finish");
    expect(finishTool.input_schema.properties.result).toEqual(schema);
    expect(second!.results[0]!.isError).toBe(true);
    expect(second!.results[0]!.content).toContain("does not match its schema");
    expect(second!.results[0]!.content).toContain("count");
    expect(result.output).toEqual({ count: 2 });
    expect(result.change).toBeNull();
    expect(result.meta).toMatchObject({ turns: 2, stopReason: "finished" });
  });

  it("puts the runtime's feedback of a rejected attempt into the first message", async () => {
    h.script(() => reply.toolUse("finish", { summary: "s", result: "r" }));
    await h.runner().run(agentRequest("Do it", {}, { attempt: 2, feedback: "/count must be integer" }));
    expect(h.conversations()[0]!.agentPrompt).toContain("previous attempt was rejected");
    expect(h.conversations()[0]!.agentPrompt).toContain("/count must be integer");
  });

  it("nudges a model that answers without a tool to call finish", async () => {
    h.script((c) => (c.turn === 1 ? reply.text("I think I am done.") : reply.toolUse("finish", { summary: "s", result: "r" })));
    const result = await h.runner().run(agentRequest("Do it"));
    expect(h.conversations()[1]!.notes.join(" ")).toContain("call finish");
    expect(result.output).toBe("r");
  });
});

describe("worker: partial work", () => {
  const writeThenRead = (c: Conversation) =>
    c.turn === 1
      ? reply.toolUse("write_file", { path: "src/half.ts", content: "export const half = 1;\n" })
      : reply.toolUse("read_file", { path: "src/half.ts" }, { text: `still checking (turn ${c.turn})` });

  it("keeps the work at max turns: commits it as incomplete and returns the last text", async () => {
    h.script(writeThenRead);
    const result = await h.runner({ limits: { maxTurns: 3 } }).run(agentRequest("Half a job", { label: "half" }));

    expect(h.conversations()).toHaveLength(3);
    expect(h.conversations()[2]!.notes.join(" ")).toContain("one turn left");
    expect(result.output).toBe("still checking (turn 3)");
    expect(result.meta).toMatchObject({ stopReason: "max_turns", turns: 3 });
    expect(result.change).toMatchObject({ branch: branch("half"), incomplete: true, files: [{ path: "src/half.ts", status: "added" }] });
    expect(await show(h.repo.dir, branch("half"), "src/half.ts")).toBe("export const half = 1;\n");
  });

  it("with a schema, max turns fails the agent with its usage and the partial change", async () => {
    h.script(writeThenRead);
    const error = await rejectionOf(
      h.runner().run(agentRequest("Half a job", { label: "half", maxTurns: 2, schema: { type: "object" } })),
    );
    expect(error).toBeInstanceOf(AgentFailedError);
    const failed = error as AgentFailedError;
    expect(failed.change).toMatchObject({ branch: branch("half"), incomplete: true });
    expect(failed.usage).toEqual(reportedSpend(h.conversations()).usage);
    expect(failed.costUsd).toBeCloseTo(reportedSpend(h.conversations()).costUsd, 12);
    expect(await git(h.repo.dir, "rev-parse", branch("half"))).toBe(failed.change!.commit);
  });

  it("on cancellation commits the partial work as incomplete and fails with it", async () => {
    const controller = new AbortController();
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("write_file", { path: "src/half.ts", content: "partial\n" });
      controller.abort();
      return reply.hang();
    });
    const error = await rejectionOf(h.runner().run(agentRequest("Job", { label: "cancelled" }, { signal: controller.signal })));
    expect(error).toBeInstanceOf(AgentFailedError);
    const failed = error as AgentFailedError;
    expect(failed.message).toContain("cancelled");
    expect(failed.change).toMatchObject({ incomplete: true, files: [{ path: "src/half.ts" }] });
    expect(failed.usage.output).toBeGreaterThan(0);
    expect(await show(h.repo.dir, branch("cancelled"), "src/half.ts")).toBe("partial\n");
  });

  it("a model API failure fails the agent with the usage so far and the partial change", async () => {
    h.script((c) =>
      c.turn === 1 ? reply.toolUse("write_file", { path: "src/half.ts", content: "partial\n" }) : reply.error(400, { message: "bad request" }),
    );
    const error = await rejectionOf(h.runner().run(agentRequest("Job", { label: "broken" })));
    expect(error).toBeInstanceOf(AgentFailedError);
    const failed = error as AgentFailedError;
    expect(failed.cause).toBeInstanceOf(ModelApiError);
    expect(failed.usage).toEqual(reportedSpend(h.conversations()).usage);
    expect(failed.change).toMatchObject({ branch: branch("broken"), incomplete: true });
  });
});

describe("worker: isolation", () => {
  it("two workers editing the same file in parallel never see each other's edits", async () => {
    h.script((c) => {
      const who = c.agentPrompt.includes("worker A") ? "A" : "B";
      if (c.turn === 1) return reply.toolUse("edit_file", { path: "src/api.ts", old_text: 'fetchJson("/a")', new_text: `client${who}.get("/a")` });
      if (c.turn === 2) return reply.toolUse("read_file", { path: "src/api.ts" });
      return reply.toolUse("finish", { summary: `worker ${who} edited src/api.ts`, result: who });
    });
    const runner = h.runner();
    const [a, b] = await Promise.all([
      runner.run(agentRequest("You are worker A", { label: "api" }, { agentId: "a1" })),
      runner.run(agentRequest("You are worker B", { label: "api" }, { agentId: "a2" })),
    ]);

    const readBy = (who: string) => h.conversations(`worker ${who}`).find((c) => c.turn === 3)!.results[0]!.content;
    expect(readBy("A")).toContain('clientA.get("/a")');
    expect(readBy("A")).not.toContain("clientB");
    expect(readBy("B")).toContain('clientB.get("/a")');
    expect(readBy("B")).not.toContain("clientA");

    expect(a.change!.branch).toBe(branch("api"));
    expect(b.change!.branch).toBe(branch("api", "a2"));
    expect(b.change!.branch).not.toBe(a.change!.branch);
    expect(await show(h.repo.dir, a.change!.branch, "src/api.ts")).toContain("clientA.get");
    expect(await show(h.repo.dir, a.change!.branch, "src/api.ts")).not.toContain("clientB");
    expect(await show(h.repo.dir, b.change!.branch, "src/api.ts")).toContain("clientB.get");
    expect(await git(h.repo.dir, "diff", "--name-only", h.repo.head, b.change!.branch)).toBe("src/api.ts");
    expect(await show(h.repo.dir, h.repo.head, "src/api.ts")).toBe(FILES["src/api.ts"]);
  });

  it("a retried attempt of the same agent keeps its branch; another agent with the same label gets its own", async () => {
    h.script((c) =>
      c.turn === 1
        ? reply.toolUse("write_file", { path: "src/x.ts", content: `${c.agentPrompt.includes("second") ? 2 : 1}\n` })
        : reply.toolUse("finish", { summary: "s", result: "r" }),
    );
    const runner = h.runner();
    const first = await runner.run(agentRequest("first try", { label: "x" }, { agentId: "a1" }));
    const retry = await runner.run(agentRequest("second try", { label: "x" }, { agentId: "a1", attempt: 2 }));
    const other = await runner.run(agentRequest("first other", { label: "x" }, { agentId: "a2" }));
    expect(first.change!.branch).toBe(branch("x"));
    expect(retry.change!.branch).toBe(branch("x"));
    expect(other.change!.branch).toBe(branch("x", "a2"));
    expect(other.change!.branch).not.toBe(first.change!.branch);
    expect(await show(h.repo.dir, branch("x"), "src/x.ts")).toBe("2\n");
  });
});

describe("worker: continuing an earlier attempt (subject.change)", () => {
  /** A first attempt that edits, adds and deletes; it is what the next attempt starts from. */
  async function firstAttempt(runner = h.runner(), write = ["src/**", "docs/**"]) {
    h.script((c) => {
      if (!c.agentPrompt.includes("first attempt")) return undefined;
      if (c.turn === 1) return reply.toolUse("edit_file", { path: "src/api.ts", old_text: 'fetchJson("/a")', new_text: 'http.get("/a")' });
      if (c.turn === 2) return reply.toolUse("write_file", { path: "src/http.ts", content: "export const http = {};\n" });
      if (c.turn === 3) return reply.toolUse("delete_file", { path: "docs/readme.md" });
      return reply.toolUse("finish", { summary: "migrated src/api.ts", result: "done" });
    });
    const result = await runner.run(agentRequest("first attempt", { label: "api", write }, { agentId: "a1" }));
    return result.change!;
  }

  it("starts from the earlier change: reads see it, the message shows its diff, and the new commit holds both on the base", async () => {
    const earlier = await firstAttempt();
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("read_file", { path: "src/api.ts" });
      if (c.turn === 2) return reply.toolUse("list_files", { glob: "**" });
      if (c.turn === 3) return reply.toolUse("edit_file", { path: "src/dup.ts", old_text: "x = 1;\nx = 1;", new_text: "x = 2;" });
      return reply.toolUse("finish", { summary: "also fixed src/dup.ts", result: "done" });
    });
    const next = await h.runner().run(agentRequest("second attempt", { label: "api · round 2", write: ["src/**", "docs/**"], subject: { change: earlier as never } }, { agentId: "a2" }));

    const [first, second, third] = h.conversations("second attempt");
    expect(first!.agentPrompt).toContain("## Where you start");
    expect(first!.agentPrompt).toContain(`(commit ${earlier.commit})`);
    expect(first!.agentPrompt).toContain('+  return http.get("/a");');
    expect(first!.agentPrompt).toContain("- deleted docs/readme.md (+0 -1)");
    expect(second!.results[0]!.content).toContain('return http.get("/a");');
    expect(third!.results[0]!.content).toContain("src/http.ts");
    expect(third!.results[0]!.content).not.toContain("docs/readme.md");

    const change = next.change!;
    expect(change.branch).not.toBe(earlier.branch);
    expect(change.base).toBe(h.repo.head);
    expect(change.files.map((f) => [f.path, f.status])).toEqual([
      ["docs/readme.md", "deleted"],
      ["src/api.ts", "modified"],
      ["src/dup.ts", "modified"],
      ["src/http.ts", "added"],
    ]);
    // One commit on the base, as every worker's change: the merge and the carried changes rely on it.
    expect(await git(h.repo.dir, "rev-parse", `${change.commit}^`)).toBe(h.repo.head);
    expect(await show(h.repo.dir, change.commit, "src/api.ts")).toContain('return http.get("/a");');
    expect(await show(h.repo.dir, change.commit, "src/dup.ts")).toBe("x = 2;\n");
    expect(await show(h.repo.dir, earlier.commit, "src/dup.ts")).toBe(FILES["src/dup.ts"]);
  });

  it("applies the earlier change under its own write rules: a path it may not write fails it before any model call", async () => {
    const earlier = await firstAttempt();
    const before = h.api.requests.length;
    const error = await rejectionOf(
      h.runner().run(agentRequest("narrower attempt", { label: "api · round 2", write: ["src/**"], subject: { change: earlier as never } }, { agentId: "a2" })),
    );
    expect(error).toBeInstanceOf(AgentFailedError);
    expect((error as Error).message).toMatch(/^worker "api · round 2" cannot start from the change [0-9a-f]{40} on dynflow\/run1-work\/api-[^:]+: .*docs\/readme\.md/);
    expect(h.api.requests.length).toBe(before);

    const protectedChange = await (async () => {
      h.script((c) =>
        c.turn === 1 ? reply.toolUse("write_file", { path: ".github/workflows/ci.yml", content: "on: pull_request\n" }) : reply.toolUse("finish", { summary: "s", result: "r" }),
      );
      return (await h.runner({ protectedPaths: [] }).run(agentRequest("unprotected", { label: "ci" }, { agentId: "a3" }))).change!;
    })();
    const refused = await rejectionOf(h.runner().run(agentRequest("protected", { label: "ci · round 2", subject: { change: protectedChange as never } }, { agentId: "a4" })));
    expect((refused as Error).message).toContain(".github/workflows/ci.yml");
  });

  it("refuses a change made on another base, and a subject that names no change", async () => {
    const earlier = await firstAttempt();
    const elsewhere = { ...earlier, base: earlier.commit };
    const error = await rejectionOf(h.runner().run(agentRequest("elsewhere", { label: "api · round 2", write: ["src/**", "docs/**"], subject: { change: elsewhere as never } }, { agentId: "a2" })));
    expect((error as Error).message).toContain(`it was made on ${earlier.commit}, not on the run's base`);

    const invalid = await rejectionOf(h.runner().run(agentRequest("invalid", { label: "x", subject: { change: "main" } }, { agentId: "a3" })));
    expect((invalid as Error).message).toBe("a worker agent needs options.subject { change: ChangeRef } (the attempt it starts from) or nothing; subject.change must be a change or null, got string");
  });
});

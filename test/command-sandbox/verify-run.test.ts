/**
 * A whole run whose repository's `test` command fails until a worker fixes
 * the code: the scripted fake model's worker first gets it wrong, the check
 * refutes that round with the command's output, the next round's worker
 * (whose workspace starts from the refuted change) runs the test itself
 * (run_command) in its sandboxed workspace, fixes the code and sees it pass;
 * the refuter runs it too. Real git, real sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelClient } from "../../src/agents/model/index.js";
import { CommandSandbox, EMPTY_COMMANDS_CONFIG, RunCommands, type CommandsConfig } from "../../src/command-sandbox/index.js";
import { runWorkflow } from "../../src/run/run-workflow.js";
import { MemoryJournal } from "../../src/runtime/journal/memory-journal.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { conversationOf } from "../agents/agent-harness.js";
import { git, makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";
import { skipSandbox } from "./sandbox-harness.js";

const FILES = {
  "sum.js": "module.exports = (a, b) => a - b;\n",
  "test.js": 'const sum = require("./sum");\nif (sum(2, 3) !== 5) { console.error("FAIL: sum(2, 3) = " + sum(2, 3)); process.exit(1); }\nconsole.log("ok: sum(2, 3) = 5");\n',
};

const SCRIPT = `export const meta = { name: "fix-sum", description: "Make the tests pass" };
const r = await converge("Fix sum.js so that node test.js passes", { label: "sum", checks: ["test"] });
const again = r.change ? await check(r.change, "test") : null;
return { status: r.status, rounds: r.rounds, check: again, checks: await repo.checks() };
`;

const COMMANDS: CommandsConfig = { ...EMPTY_COMMANDS_CONFIG, commands: { test: "node test.js" } };

describe.skipIf(skipSandbox)("a run with the repository's test command", () => {
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  let repository: GitRepository;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    repo = await makeRepo(FILES);
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository?.close();
    await api?.close();
    await removeDir(repo.dir);
  });

  it("refutes a change whose check fails, with the output, and accepts the worker's fix once the test passes", async () => {
    api.handle((request) => {
      const c = conversationOf(request);
      const tools: string[] = (c.body.tools ?? []).map((t: { name: string }) => t.name);
      if (tools.includes("write_file")) {
        const feedback = c.agentPrompt.includes("Review feedback");
        if (!feedback) {
          // Round 1: a wrong fix, and no test run.
          if (c.turn === 1) return reply.toolUse("edit_file", { path: "sum.js", old_text: "a - b", new_text: "a * b" });
          return reply.toolUse("finish", { summary: "sum multiplies now", result: "done" });
        }
        // Round 2 starts from round 1's change: run the test, fix what is there, run it again.
        if (c.turn === 1) return reply.toolUse("run_command", { name: "test" });
        if (c.turn === 2) return reply.toolUse("edit_file", { path: "sum.js", old_text: "a * b", new_text: "a + b" });
        if (c.turn === 3) return reply.toolUse("run_command", { name: "test" });
        return reply.toolUse("finish", { summary: "sum adds; node test.js passes", result: "done" });
      }
      if (tools.includes("run_command") && c.turn === 1) return reply.toolUse("run_command", { name: "test" });
      return reply.toolUse("finish", { summary: "ran the tests", result: { verdict: "upheld", evidence: "node test.js passes" } });
    });
    const result = await runWorkflow({
      repository,
      repositoryName: "acme/sum",
      baseCommit: repo.head,
      baseLabel: "main",
      task: null,
      script: { source: SCRIPT, filename: "fix-sum.js" },
      model: createModelClient({ apiKey: "sk-test", baseURL: api.url, maxRetries: 0 }),
      newRunId: () => "r-verify",
      gitEnv: testGitEnv(),
      settings: { commands: COMMANDS, review: { refutersPerClaim: 1, maxRounds: 3 }, models: { worker: "claude-opus-5-5", refuter: "claude-opus-5-5" } },
    });

    expect(result.outcome.status).toBe("ok");
    expect(result.outcome.result).toEqual({ status: "accepted", rounds: 2, check: { passed: true, exitCode: 0, output: "ok: sum(2, 3) = 5\n" }, checks: ["test"] });
    // Every check shows in the run's progress (the status comment, the check run, the dashboard), by the change's label.
    expect(result.outcome.logs.filter((line) => line.startsWith("check "))).toEqual([
      "check test on sum: failed (exit 1)",
      "check test on sum · round 2: passed",
      "check test on sum · round 2: passed (journaled result)",
    ]);
    // The check refuted round 1 with the command's output, and the worker of round 2 was told.
    const workers = api.requests.map(conversationOf).filter((c) => (c.body.tools ?? []).some((t: { name: string }) => t.name === "write_file"));
    const round2 = workers.filter((c) => c.agentPrompt.includes("Review feedback"));
    expect(round2[0]?.agentPrompt).toContain("Check `test` (`node test.js`) failed with exit code 1");
    expect(round2[0]?.agentPrompt).toContain("FAIL: sum(2, 3) = 6");
    // Its own runs of the test saw its workspace: round 1's change first (failing), then its fix (passing).
    const turn2 = round2.find((c) => c.turn === 2);
    expect(turn2?.results[0]?.content).toContain("exit code 1");
    expect(turn2?.results[0]?.content).toContain("FAIL: sum(2, 3) = 6");
    const turn4 = round2.find((c) => c.turn === 4);
    expect(turn4?.results[0]?.content).toContain("exit code 0");
    // The refuter ran the test on the change.
    const refuter = api.requests.map(conversationOf).find((c) => c.turn === 2 && !(c.body.tools ?? []).some((t: { name: string }) => t.name === "write_file"));
    expect(refuter?.results[0]?.content).toContain("ok: sum(2, 3) = 5");
    // With the tool, its system prompt says it may run commands and cite a failing one.
    expect(JSON.stringify(refuter?.body.system)).toContain("run_command");
    expect(JSON.stringify(refuter?.body.system)).toContain("failingCommand");
    expect(result.lines.map((l) => [l.label, l.status])).toEqual([["sum", "accepted"]]);
    expect(await git(repo.dir, "show", "dynflow/r-verify:sum.js")).toContain("a + b");
    // The report shows the failing command as the evidence of round 1.
    expect(result.reportMarkdown).toContain("node test.js");
  });

  it("journals a check by tree and command: the same tree checked again is a replay", async () => {
    const sandbox = await CommandSandbox.create({ repository, baseCommit: repo.head });
    try {
      const journal = new MemoryJournal();
      const commands = new RunCommands({ sandbox, config: COMMANDS, repository, journal });
      const first = await commands.check("test", repo.head);
      expect(first).toMatchObject({ passed: false, exitCode: 1, replayed: false });
      // Another commit with the same tree.
      const same = await git(repo.dir, "commit-tree", "-p", repo.head, "-m", "same tree", `${repo.head}^{tree}`);
      const second = await commands.check("test", same);
      expect(second).toMatchObject({ passed: false, exitCode: 1, replayed: true, output: first.output });
    } finally {
      await sandbox.close();
    }
  });
});

describe("a host without a sandbox", () => {
  it("offers no command, runs nothing on the host, and says why in the report's notes", async () => {
    const { prepareCommands } = await import("../../src/run/prepare-commands.js");
    const { pino } = await import("pino");
    const prepared = await prepareCommands({
      config: COMMANDS,
      repository: undefined as unknown as GitRepository,
      baseCommit: "0".repeat(40),
      journal: new MemoryJournal(),
      log: pino({ level: "silent" }),
      availability: async () => ({ available: false, reason: "unshare: unshare failed: Operation not permitted" }),
    });
    expect(prepared.commands).toBeNull();
    expect(prepared.note).toContain("(test)");
    expect(prepared.note).toContain("Operation not permitted");
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidAgentSubjectError } from "../../src/agents/errors.js";
import { AgentFailedError } from "../../src/runtime/errors.js";
import type { ChangeRef, JsonSchema, JsonValue } from "../../src/runtime/types.js";
import { agentRequest, rejectionOf, reply, startHarness, type Harness } from "./agent-harness.js";

const VERDICT: JsonSchema = {
  type: "object",
  required: ["verdict", "evidence"],
  properties: { verdict: { enum: ["refuted", "upheld"] }, evidence: { type: "string" } },
};

const FILES = {
  "src/api.ts": 'export function load() {\n  return fetchJson("/a");\n}\n',
  "src/other.ts": 'export const other = () => fetchJson("/b");\n',
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness(FILES);
});
afterEach(async () => {
  await h.close();
});

/** Runs a worker whose conversation carries markers the refuter must never see. */
async function workerChange(): Promise<{ change: ChangeRef; claim: string }> {
  h.script((c) => {
    if (c.turn === 1) return reply.toolUse("read_file", { path: "src/api.ts" }, { text: "WORKER-THOUGHT: only api.ts matters" });
    if (c.turn === 2) return reply.toolUse("edit_file", { path: "src/api.ts", old_text: 'fetchJson("/a")', new_text: 'http.get("/a")' });
    return reply.toolUse("finish", { summary: "Migrated every caller of fetchJson.", result: "done" });
  });
  const result = await h.runner().run(agentRequest("WORKER-PROMPT: migrate the callers", { label: "migrate" }, { agentId: "w1" }));
  return { change: result.change!, claim: String(result.meta!.summary) };
}

const refuterPrompt = "Try to refute the claim of migrate.";
const isRefuter = (prompt: string) => prompt.includes(refuterPrompt);

describe("refuter", () => {
  it("sees the task, claim and diff but not the worker's conversation, reads both trees, and returns its verdict", async () => {
    const { change, claim } = await workerChange();
    const workerRequests = h.api.requests.length;
    h.script((c) => {
      if (!isRefuter(c.agentPrompt)) return undefined;
      if (c.turn === 1) return reply.toolUse("read_base_file", { path: "src/api.ts" });
      if (c.turn === 2) return reply.toolUse("read_file", { path: "src/api.ts" });
      if (c.turn === 3) return reply.toolUse("search", { pattern: "fetchJson" });
      return reply.toolUse("finish", {
        summary: "src/other.ts:1 still calls fetchJson",
        result: { verdict: "refuted", evidence: "src/other.ts:1 still calls fetchJson" },
      });
    });
    const subject = { change, claim } as unknown as JsonValue;
    const result = await h.runner().run(agentRequest(refuterPrompt, { role: "refuter", schema: VERDICT, subject, label: "refute migrate" }, { agentId: "r1" }));

    const conversations = h.conversations(refuterPrompt);
    expect(conversations).toHaveLength(4);
    const first = conversations[0]!;
    const sent = JSON.stringify(first.body);
    expect(first.body.tools.map((t: { name: string }) => t.name)).toEqual(["list_files", "read_file", "search", "read_base_file", "search_base", "finish"]);
    expect(first.body.messages).toHaveLength(1);
    expect(first.body.messages[0].content[0].text).toContain("Migrate every caller of fetchJson to the new http client.");
    expect(first.agentPrompt).toContain("## The claim\n\n<claim>\nMigrated every caller of fetchJson.\n</claim>");
    expect(first.agentPrompt).toContain('-  return fetchJson("/a");\n+  return http.get("/a");');
    expect(first.agentPrompt).toContain(`commit ${change.commit} on base ${change.base}`);
    expect(first.body.system[0].text).toContain("try hard to refute");
    // Without commands in the run, nothing in its prompt offers them.
    expect(JSON.stringify(first.body.system)).not.toContain("run_command");
    expect(sent).not.toContain("WORKER-PROMPT");
    expect(sent).not.toContain("WORKER-THOUGHT");
    expect(sent).not.toContain("Edited src/api.ts");

    expect(conversations[1]!.results[0]!.content).toContain('fetchJson("/a")');
    expect(conversations[2]!.results[0]!.content).toContain('http.get("/a")');
    expect(conversations[3]!.results[0]!.content).toContain("src/other.ts:1:");
    expect(conversations[3]!.results[0]!.content).not.toContain("src/api.ts");
    expect(h.api.requests.length).toBe(workerRequests + 4);
    expect(result.output).toEqual({ verdict: "refuted", evidence: "src/other.ts:1 still calls fetchJson" });
    expect(result.change).toBeNull();
    expect(result.meta).toMatchObject({ summary: "src/other.ts:1 still calls fetchJson", turns: 4, stopReason: "finished" });
  });

  it("reviews a claim without a change over the base commit, with no diff and no base tools", async () => {
    h.script((c) =>
      c.turn === 1
        ? reply.toolUse("read_file", { path: "src/other.ts" })
        : reply.toolUse("finish", { summary: "checked", result: { verdict: "upheld", evidence: "src/other.ts:1 calls fetchJson" } }),
    );
    const subject = { change: null, claim: "src/other.ts calls fetchJson without a timeout" };
    const result = await h.runner().run(agentRequest(refuterPrompt, { role: "refuter", schema: VERDICT, subject }));

    const [first, second] = h.conversations();
    expect(first!.body.tools.map((t: { name: string }) => t.name)).toEqual(["list_files", "read_file", "search", "finish"]);
    expect(first!.agentPrompt).toContain(`There is no change: the claim is about the repository as it is at commit ${h.repo.head}`);
    expect(first!.agentPrompt).not.toContain("```diff");
    expect(second!.results[0]!.content).toContain('fetchJson("/b")');
    expect(result.output).toMatchObject({ verdict: "upheld" });
  });

  it("cuts a very large diff with a note naming the files not shown in full", async () => {
    const { change, claim } = await workerChange();
    h.script(() => reply.toolUse("finish", { summary: "s", result: { verdict: "upheld", evidence: "none" } }));
    await h.runner({ limits: { maxDiffChars: 80 } }).run(agentRequest(refuterPrompt, { role: "refuter", schema: VERDICT, subject: { change, claim } as unknown as JsonValue }));
    const prompt = h.conversations(refuterPrompt)[0]!.agentPrompt;
    expect(prompt).toContain("[diff truncated: showing");
    expect(prompt).toContain("Not shown in full: src/api.ts");
  });

  it("fails (to be counted unverified) when the model fails", async () => {
    h.script(() => reply.error(400));
    const error = await rejectionOf(
      h.runner().run(agentRequest(refuterPrompt, { role: "refuter", schema: VERDICT, subject: { change: null, claim: "c" } })),
    );
    expect(error).toBeInstanceOf(AgentFailedError);
    expect((error as AgentFailedError).change).toBeNull();
  });

  it("fails when it runs out of turns without a verdict, reporting its usage", async () => {
    h.script(() => reply.toolUse("list_files", {}));
    const error = await rejectionOf(
      h.runner().run(agentRequest(refuterPrompt, { role: "refuter", schema: VERDICT, maxTurns: 2, subject: { change: null, claim: "c" } })),
    );
    expect(error).toBeInstanceOf(AgentFailedError);
    expect((error as AgentFailedError).message).toContain("gave no verdict");
    expect((error as AgentFailedError).usage.output).toBeGreaterThan(0);
    expect(h.conversations()).toHaveLength(2);
  });

  it("refuses a subject of the wrong shape before calling the model", async () => {
    const error = await rejectionOf(h.runner().run(agentRequest(refuterPrompt, { role: "refuter", subject: { change: { commit: 1 }, claim: "c" } })));
    expect(error).toBeInstanceOf(InvalidAgentSubjectError);
    expect(h.api.requests).toHaveLength(0);
  });
});

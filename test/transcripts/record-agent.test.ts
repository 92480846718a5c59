import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentStoppedError } from "../../src/runtime/errors.js";
import type { JsonSchema, JsonValue } from "../../src/runtime/types.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { createTranscriptRecorder } from "../../src/transcripts/create-transcript-recorder.js";
import type { TranscriptRecorder } from "../../src/transcripts/types.js";
import { agentRequest, reply, RUN_ID, startHarness, type Harness } from "../agents/agent-harness.js";

const FILES = { "src/api.ts": 'export function load() {\n  return fetchJson("/a");\n}\n' };
const VERDICT: JsonSchema = { type: "object", required: ["verdict", "evidence"], properties: { verdict: { type: "string" }, evidence: { type: "string" } } };

let h: Harness;
let dir: string;
let store: Store;
let recorder: TranscriptRecorder;
beforeEach(async () => {
  h = await startHarness(FILES);
  dir = await mkdtemp(join(tmpdir(), "dynflow-record-"));
  store = await openStore({ sqlitePath: join(dir, "t.db") });
  recorder = createTranscriptRecorder({ sink: store.transcripts, flushMs: 5 });
});
afterEach(async () => {
  await recorder.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  await h.close();
});

const kinds = async (agentId: string) => (await store.transcripts.listAgent(RUN_ID, agentId)).map((e) => e.kind);

describe("recording where agents run", () => {
  it("records a worker's prompt, turns, tool calls, result and the diff of its change; its refuter's verdict names that change", async () => {
    h.script((c) => {
      if (c.agentPrompt.includes("Try to refute")) {
        if (c.turn === 1) return reply.toolUse("read_file", { path: "src/api.ts" });
        return reply.toolUse("finish", { summary: "checked", result: { verdict: "upheld", evidence: "src/api.ts:2 uses http.get" } });
      }
      if (c.turn === 1) return reply.toolUse("read_file", { path: "src/api.ts" });
      if (c.turn === 2) return reply.toolUse("edit_file", { path: "src/api.ts", old_text: 'fetchJson("/a")', new_text: 'http.get("/a")' });
      return reply.toolUse("finish", { summary: "src/api.ts uses http.get", result: "migrated" });
    });
    const runner = h.runner({ transcripts: recorder });
    const worker = await runner.run(agentRequest("Migrate src/api.ts", { label: "Migrate api" }));
    const subject = { change: worker.change, claim: "migrated" } as unknown as JsonValue;
    await runner.run(agentRequest("Try to refute the claim.", { role: "refuter", schema: VERDICT, subject, label: "refute" }, { agentId: "a2" }));
    await recorder.flush();

    expect(await kinds("a1")).toEqual(["start", "prompt", "turn", "tool", "turn", "tool", "turn", "tool", "end"]);
    const entries = await store.transcripts.listAgent(RUN_ID, "a1");
    expect(entries[1]?.body).toMatchObject({ model: "test-model", prompt: expect.stringContaining("Migrate src/api.ts") });
    expect(entries[5]?.body).toMatchObject({ name: "edit_file", input: expect.stringContaining("http.get"), isError: false });
    const end = entries.at(-1)?.body as Record<string, unknown>;
    expect(end).toMatchObject({ status: "finished", output: "migrated", summary: "src/api.ts uses http.get", turns: 3 });
    expect(end.change).toMatchObject({ commit: worker.change?.commit, files: [{ path: "src/api.ts", status: "modified" }] });
    expect(end.diff).toContain('-  return fetchJson("/a");');
    expect(end.diff).toContain('+  return http.get("/a");');

    const refuter = await store.transcripts.listAgent(RUN_ID, "a2");
    expect(refuter[0]?.body).toMatchObject({ role: "refuter", judges: worker.change?.commit });
    expect(refuter.find((e) => e.kind === "verdict")?.body).toEqual({ verdict: "upheld" });
    expect(refuter.at(-1)?.body).toMatchObject({ status: "finished", outputIsJson: true, output: expect.stringContaining("src/api.ts:2 uses http.get") });
  });

  it("records an agent stopped mid-run as stopped, with its partial change", async () => {
    const controller = new AbortController();
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("write_file", { path: "src/new.ts", content: "export {};\n" });
      controller.abort(new AgentStoppedError("a1", "stopped by @octocat"));
      return reply.toolUse("read_file", { path: "src/api.ts" });
    });
    await expect(h.runner({ transcripts: recorder }).run(agentRequest("Add a file", {}, { signal: controller.signal }))).rejects.toThrow();
    await recorder.flush();
    const end = (await store.transcripts.listAgent(RUN_ID, "a1")).at(-1)?.body as Record<string, unknown>;
    expect(end).toMatchObject({ status: "stopped", error: expect.stringContaining("cancelled") });
    expect(end.change).toMatchObject({ incomplete: true, files: [{ path: "src/new.ts" }] });
  });
});

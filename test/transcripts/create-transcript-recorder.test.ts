import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import type { Store, TranscriptEntryInput } from "../../src/store/types.js";
import { createTranscriptRecorder } from "../../src/transcripts/create-transcript-recorder.js";
import { redactSecrets } from "../../src/transcripts/redact-secrets.js";
import { DOC_AGENT } from "../../src/transcripts/types.js";

const usage = { input: 10, output: 5, cacheWrite: 0, cacheRead: 0 };
const agent = (agentId: string) => ({ runId: "r-1", agentId, label: `agent ${agentId}`, role: "worker", attempt: 1 });

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dynflow-transcripts-"));
  store = await openStore({ sqlitePath: join(dir, "t.db") });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("transcript recorder", () => {
  it("writes an agent's prompt, turns, tool calls and end in one batch, with the shared prompts stored once", async () => {
    const batches: number[] = [];
    const recorder = createTranscriptRecorder({ sink: { append: (entries, options) => (batches.push(entries.length), store.transcripts.append(entries, options)) }, flushMs: 10_000 });
    for (const id of ["a1", "a2"]) {
      const t = recorder.open(agent(id));
      t.prompt({ model: "m", system: "You are a worker.", shared: "The task: migrate.", prompt: `Do ${id}` });
      t.turn({ turn: 1, usage, costUsd: 0.01, stopReason: "tool_use", text: "Reading.", ms: 12 });
      t.tool({ turn: 1, name: "read_file", input: { path: "src/a.ts" }, output: "1\tconst a = 1;", isError: false, ms: 3 });
      t.end({ status: "finished", output: { done: true }, summary: "did it", usage, costUsd: 0.01, turns: 1 });
    }
    expect(await store.transcripts.listAgent("r-1", "a1")).toEqual([]);
    await recorder.flush();
    // One write for the agents' entries, one for the shared documents.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(2 * 5 + 2);
    expect(batches.length).toBeLessThanOrEqual(2);
    const a1 = await store.transcripts.listAgent("r-1", "a1");
    expect(a1.map((e) => e.kind)).toEqual(["start", "prompt", "turn", "tool", "end"]);
    expect(a1[1]?.body).toMatchObject({ model: "m", prompt: "Do a1", system: expect.any(String), shared: expect.any(String) });
    expect(a1[3]?.body).toMatchObject({ name: "read_file", input: '{"path":"src/a.ts"}', output: "1\tconst a = 1;", isError: false });
    expect(a1[4]?.body).toMatchObject({ status: "finished", output: '{"done":true}', outputIsJson: true, summary: "did it", turns: 1 });
    const docs = await store.transcripts.listAgent("r-1", DOC_AGENT);
    expect(docs.map((d) => (d.body as { name: string }).name).sort()).toEqual(["task context", "worker system prompt"]);
  });

  it("cuts long fields, stops an agent at its bound with one marker and still keeps its end", async () => {
    const recorder = createTranscriptRecorder({ sink: store.transcripts, limits: { agentBytes: 2_000, toolOutputChars: 100 } });
    const t = recorder.open(agent("a1"));
    for (let turn = 1; turn <= 20; turn++) t.tool({ turn, name: "read_file", input: {}, output: "x".repeat(500), isError: false, ms: 1 });
    t.end({ status: "finished", output: "y".repeat(3_000), usage, costUsd: 0, turns: 20 });
    await recorder.close();
    const entries = await store.transcripts.listAgent("r-1", "a1");
    const kinds = entries.map((e) => e.kind);
    expect(kinds.filter((k) => k === "truncated")).toHaveLength(1);
    expect(kinds.at(-1)).toBe("end");
    expect(kinds.indexOf("truncated")).toBeLessThan(kinds.indexOf("end"));
    expect((entries.find((e) => e.kind === "tool")?.body as { output: string }).output).toBe(`${"x".repeat(100)}…[400 more characters]`);
    const end = entries.at(-1)?.body as { shortened?: boolean; output: string };
    expect(end.shortened).toBe(true);
    expect(end.output.length).toBeLessThan(600);
    const beforeEnd = entries.slice(0, -1).reduce((sum, e) => sum + e.bytes, 0);
    expect(beforeEnd).toBeLessThanOrEqual(2_000 + 100);
  });

  it("keeps the run within its bound across agents, marking each cut agent and keeping short ends", async () => {
    const recorder = createTranscriptRecorder({ sink: store.transcripts, limits: { runBytes: 3_000 }, flushMs: 10_000 });
    for (let i = 1; i <= 6; i++) {
      const t = recorder.open(agent(`a${i}`));
      t.tool({ turn: 1, name: "search", input: { q: i }, output: "z".repeat(800), isError: false, ms: 1 });
      t.end({ status: "finished", output: "ok", summary: "s", usage, costUsd: 0 });
      // One batch per agent: the bound cuts in between.
      await recorder.flush();
    }
    expect((await store.transcripts.usage("r-1")).truncated).toBe(true);
    expect((await store.transcripts.usage("r-1")).bytes).toBeLessThanOrEqual(3_000);
    const last = await store.transcripts.listAgent("r-1", "a6");
    expect(last.map((e) => e.kind).sort()).toEqual(["end", "truncated"]);
    expect(last.find((e) => e.kind === "end")?.body).toMatchObject({ status: "finished", shortened: true, output: null });
    expect((await store.transcripts.listAgent("r-1", "a1")).map((e) => e.kind)).toEqual(["start", "tool", "end"]);
  });

  it("never stores a known secret or anything shaped like a credential", async () => {
    const canary = "canary-secret-0123456789";
    const recorder = createTranscriptRecorder({ sink: store.transcripts, secrets: [canary] });
    const t = recorder.open({ ...agent("a1"), label: `label ${canary}` });
    const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----";
    t.prompt({ model: "m", system: "s", shared: `token ghs_${"A".repeat(36)}`, prompt: `use ${canary}` });
    t.tool({ turn: 1, name: "read_file", input: { text: canary }, output: `${key}\nsk-ant-api03-${"b".repeat(40)}`, isError: false, ms: 1 });
    t.end({ status: "failed", error: `failed with ${canary}`, usage, costUsd: 0 });
    recorder.document("r-1", "report", `report mentions github_pat_${"c".repeat(30)}`);
    await recorder.close();
    const everything = JSON.stringify([...(await store.transcripts.listAgent("r-1", "a1")), ...(await store.transcripts.listAgent("r-1", DOC_AGENT))]);
    for (const leaked of [canary, "ghs_AAAA", "MIIEabc", "sk-ant-api03", "github_pat_"]) expect(everything).not.toContain(leaked);
    expect(everything).toContain("[redacted]");
  });

  it("searches a huge output only as far as it is kept, still removing a secret that straddles the cut", async () => {
    const canary = "canary-secret-0123456789";
    const recorder = createTranscriptRecorder({ sink: store.transcripts, secrets: [canary], limits: { toolOutputChars: 2_000 } });
    const t = recorder.open(agent("a1"));
    const huge = (head: string) => `${"x".repeat(2_000 - head.length)}${head}${"y".repeat(2_000_000)}`;
    t.tool({ turn: 1, name: "read_file", input: {}, output: huge(` ghp_${"T".repeat(8)}`).replace("y".repeat(40), "T".repeat(40)), isError: false, ms: 1 });
    t.tool({ turn: 1, name: "read_file", input: {}, output: huge(canary.slice(0, 10)).replace("yyyyyyyyyyyyyy", canary.slice(10)), isError: false, ms: 1 });
    await recorder.close();
    const outputs = (await store.transcripts.listAgent("r-1", "a1")).filter((e) => e.kind === "tool").map((e) => (e.body as { output: string }).output);
    expect(outputs).toHaveLength(2);
    for (const output of outputs) {
      expect(output).not.toContain("ghp_");
      expect(output).not.toContain(canary.slice(0, 10));
      expect(output).toMatch(/^x+ ?\[redac/);
      expect(output).toMatch(/…\[2000000 more characters\]$/);
    }
  });

  it("logs and drops a batch the store refuses to write, without throwing", async () => {
    const warnings: unknown[] = [];
    const log = { warn: (...args: unknown[]) => warnings.push(args), child: () => log } as never;
    const recorder = createTranscriptRecorder({ sink: { append: async () => Promise.reject(new Error("disk full")) }, log });
    recorder.open(agent("a1")).end({ status: "finished", usage, costUsd: 0 });
    await expect(recorder.close()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it("writes a full buffer at once instead of waiting for the timer", async () => {
    const batches: TranscriptEntryInput[][] = [];
    const recorder = createTranscriptRecorder({ sink: { append: async (entries) => (batches.push([...entries]), { stored: entries.length, accepted: true }) }, maxBatch: 5, flushMs: 60_000 });
    const t = recorder.open(agent("a1"));
    for (let i = 0; i < 4; i++) t.turn({ turn: i, usage, costUsd: 0, stopReason: null, text: "", ms: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches.map((b) => b.length)).toEqual([5]);
    await recorder.close();
  });
});

describe("redactSecrets", () => {
  it("redacts a key block without an end line to the end, and a run of begin markers as one block", () => {
    expect(redactSecrets("a -----BEGIN PRIVATE KEY----- secret tail")).toBe("a [redacted]");
    expect(redactSecrets("-----BEGIN PRIVATE KEY-----".repeat(20_000))).toBe("[redacted]");
    expect(redactSecrets("x -----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY----- y")).toBe("x [redacted] y");
  });
});

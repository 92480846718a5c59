/**
 * Test harness of the agent runner: a real git repository in a temp dir, the
 * real model client (real SDK) talking to the fake Anthropic server, and a
 * view of each recorded request as a conversation, to script replies from.
 */
import { pino } from "pino";
import { createAgentRunner, type AgentRunnerDeps } from "../../src/agents/create-agent-runner.js";
import { costOf, createModelClient, type ModelPrice } from "../../src/agents/model/index.js";
import { compileSchema } from "../../src/runtime/schema/compile-schema.js";
import type { AgentOptions, AgentRequest, AgentRunner, TokenUsage } from "../../src/runtime/types.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions, type FakeReply, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";

export { reply };

export const TEST_MODEL = "test-model";
export const TEST_PRICE: ModelPrice = { input: 1, output: 2, cacheWrite: 3, cacheRead: 0.5 };
export const AUTHOR = { name: "dynflow[bot]", email: "dynflow@example.com" };
export const RUN_ID = "run1";

/** A recorded request seen as one agent's conversation. */
export interface Conversation {
  request: RecordedRequest;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary request fields
  body: any;
  /** The per-agent block of the first message (after the shared task block). */
  agentPrompt: string;
  /** 1-based turn: 1 + the assistant messages so far. */
  turn: number;
  /** Tool results of the last user message, in order. */
  results: { content: string; isError: boolean }[];
  /** Text blocks of the last user message (nudges, turn warnings). */
  notes: string[];
}

export function conversationOf(request: RecordedRequest): Conversation {
  const body = request.body;
  const messages: { role: string; content: unknown }[] = body.messages;
  const first = messages[0]?.content as { type: string; text?: string }[];
  const last = messages.at(-1)?.content;
  const blocks = (Array.isArray(last) ? last : []) as { type: string; content?: unknown; is_error?: boolean; text?: string }[];
  return {
    request,
    body,
    agentPrompt: first[1]?.text ?? "",
    turn: 1 + messages.filter((m) => m.role === "assistant").length,
    results: blocks
      .filter((b) => b.type === "tool_result")
      .map((b) => ({ content: typeof b.content === "string" ? b.content : JSON.stringify(b.content), isError: b.is_error === true })),
    notes: blocks.filter((b) => b.type === "text").map((b) => b.text ?? ""),
  };
}

export interface Harness {
  api: FakeAnthropic;
  repo: FixtureRepo;
  repository: GitRepository;
  /** A runner over the harness's repository and fake API; `deps` override the defaults. */
  runner(deps?: Partial<AgentRunnerDeps>): AgentRunner;
  /** Scripts the fake: every request is answered by `script` from its conversation. */
  script(script: (conversation: Conversation) => FakeReply | undefined): void;
  /** Conversations the fake received whose per-agent block contains `marker`. */
  conversations(marker?: string): Conversation[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  symlinks?: Record<string, string>;
  fake?: FakeAnthropicOptions;
}

export async function startHarness(files: Record<string, string>, options: HarnessOptions = {}): Promise<Harness> {
  const api = await startFakeAnthropic({ prefixDelayMs: 1, ...options.fake });
  const repo = await makeRepo(files, options.symlinks);
  const repository = await openRepository(repo.dir, { env: testGitEnv() });
  const model = createModelClient({
    apiKey: "sk-test-0123456789abcdef",
    baseURL: api.url,
    prices: { [TEST_MODEL]: TEST_PRICE },
    maxRetries: 0,
    log: pino({ level: "silent" }),
  });
  return {
    api,
    repo,
    repository,
    runner: (deps = {}) =>
      createAgentRunner({
        model,
        repository,
        runId: RUN_ID,
        baseCommit: repo.head,
        task: "Migrate every caller of fetchJson to the new http client.",
        models: { worker: TEST_MODEL, refuter: TEST_MODEL, resolver: TEST_MODEL },
        author: AUTHOR,
        ...deps,
      }),
    script: (script) => api.handle((request) => script(conversationOf(request))),
    conversations: (marker = "") => api.requests.map(conversationOf).filter((c) => c.agentPrompt.includes(marker)),
    close: async () => {
      await api.close();
      await repository.close();
      await removeDir(repo.dir);
    },
  };
}

/** An agent request as the runtime would send it. */
export function agentRequest(prompt: string, options: AgentOptions = {}, extra: Partial<AgentRequest> = {}): AgentRequest {
  const schema = options.schema === undefined ? null : compileSchema(options.schema);
  return {
    runId: RUN_ID,
    agentId: extra.agentId ?? "a1",
    key: `key-${extra.agentId ?? "a1"}`,
    label: options.label ?? (prompt.trim().split("\n")[0] ?? "").slice(0, 60),
    prompt,
    options,
    attempt: 1,
    validate: (value) => (schema ? schema.validate(value) : { ok: true }),
    signal: new AbortController().signal,
    ...extra,
  };
}

/** Usage and dollars the fake reported for `conversations`, summed the way the runner must sum them. */
export function reportedSpend(conversations: Conversation[]): { usage: TokenUsage; costUsd: number } {
  const usage: TokenUsage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  let costUsd = 0;
  for (const { request } of conversations) {
    const u = request.usage;
    if (!u || request.status !== 200) continue;
    const one = { input: u.input_tokens, output: u.output_tokens, cacheWrite: u.cache_creation_input_tokens, cacheRead: u.cache_read_input_tokens };
    usage.input += one.input;
    usage.output += one.output;
    usage.cacheWrite += one.cacheWrite;
    usage.cacheRead += one.cacheRead;
    costUsd += costOf(one, TEST_PRICE);
  }
  return { usage, costUsd };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/**
 * What a transcript holds and how it is bounded. Entries are JSON bodies of a
 * few kinds, written in order per agent execution:
 *
 * - `start`: who the agent is (role, label, attempt, the change it judges).
 * - `prompt`: the model, references to the system prompt and the shared task
 *   context (stored once per run as `doc` entries), and the agent's own message.
 * - `turn`: one model call: tokens, cost, stop reason, its text, timing.
 * - `tool`: one tool call: name, input, an excerpt of the output, error, timing.
 * - `truncated`: the agent's or the run's bound was reached; later entries were dropped.
 * - `verdict`: a refuter's verdict alone (a few bytes), for the run page.
 * - `end`: how it ended (finished, failed, stopped), result, summary, change and its diff.
 */
import type { ChangeRef, JsonValue, TokenUsage } from "../runtime/types.js";

export type TranscriptKind = "start" | "prompt" | "turn" | "tool" | "truncated" | "verdict" | "end" | "doc";

/** Agent id under which a run's shared documents (system prompts, task context, report) are kept. */
export const DOC_AGENT = "~doc";

/** How much a transcript may hold. */
export interface TranscriptLimits {
  /** Bytes of one agent execution's entries (its `end` entry is always kept, shortened if need be). */
  agentBytes: number;
  /** Bytes of all transcripts of one run, across every process writing for it. */
  runBytes: number;
  /** Characters kept of one tool output. */
  toolOutputChars: number;
  /** Characters kept of one tool input (serialised). */
  toolInputChars: number;
  /** Characters kept of the agent's own first message. */
  promptChars: number;
  /** Characters kept of the model's text in one turn, and of the result and summary. */
  textChars: number;
  /** Characters kept of the change's diff. */
  diffChars: number;
}

export const DEFAULT_TRANSCRIPT_LIMITS: Readonly<TranscriptLimits> = Object.freeze({
  agentBytes: 256 * 1024,
  runBytes: 64 * 1024 * 1024,
  toolOutputChars: 2_000,
  toolInputChars: 4_000,
  promptChars: 16_000,
  textChars: 4_000,
  diffChars: 48_000,
});

/** Who the agent is, when its transcript opens. */
export interface AgentIdentity {
  runId: string;
  agentId: string;
  label: string;
  role: string;
  attempt: number;
  /** Commit of the change a refuter judges, so the dashboard shows its verdict next to that change. */
  judges?: string | null;
}

/** How an agent ended, as its `end` entry records it. */
export interface AgentEnding {
  status: "finished" | "failed" | "stopped";
  output?: JsonValue;
  summary?: string | null;
  error?: string | null;
  change?: ChangeRef | null;
  diff?: string | null;
  usage: TokenUsage;
  costUsd: number;
  turns?: number;
}

/** One agent execution's transcript; every method returns at once (writes are batched). */
export interface AgentTranscript {
  prompt(input: { model: string; system: string; shared: string; prompt: string }): void;
  turn(input: { turn: number; usage: TokenUsage; costUsd: number; stopReason: string | null; text: string; ms: number }): void;
  tool(input: { turn: number; name: string; input: unknown; output: string; isError: boolean; ms: number }): void;
  end(ending: AgentEnding): void;
}

/** Opens transcripts and writes them in batches. */
export interface TranscriptRecorder {
  open(agent: AgentIdentity): AgentTranscript;
  /** Stores a run-level document (e.g. the report) under `name`, replacing nothing. */
  document(runId: string, name: string, text: string): void;
  /**
   * Adds entries another process recorded for `agentId` of `runId` (a worker
   * without the database sends them in the job's outcome): entries of other
   * agents or runs and malformed ones are dropped, secrets this process
   * knows are removed, documents already written are skipped; the rest is
   * written with the next batch, under the run's bound. Returns how many were kept.
   */
  receive(runId: string, agentId: string, entries: unknown): number;
  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

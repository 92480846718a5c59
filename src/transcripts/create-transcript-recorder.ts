/**
 * Records agent transcripts without slowing agents down: every call builds
 * one small entry and pushes it on a buffer; the buffer is written in one
 * batch every `flushMs` (or sooner when it grows large), in the background.
 * A failed write is logged and dropped, never an agent's failure.
 *
 * Bounds: each field is cut to its limit (marked `…[n more characters]`),
 * an agent execution stops recording at `agentBytes` (one `truncated` entry
 * says so; its `end` entry is still written), and the store refuses batches
 * past the run's `runBytes` (then each agent of the batch gets one
 * `truncated` entry and its `end` entry in short form). Secrets are removed
 * from every string before it is measured or stored.
 */
import { createHash, randomBytes } from "node:crypto";
import { pino, type Logger } from "pino";
import { backgroundTimers, systemClock, type Clock, type Timers } from "../time.js";
import type { JsonValue } from "../runtime/types.js";
import type { TranscriptEntryInput, TranscriptStore } from "../store/index.js";
import { redactSecrets } from "./redact-secrets.js";
import { DEFAULT_TRANSCRIPT_LIMITS, DOC_AGENT, type AgentIdentity, type AgentTranscript, type TranscriptKind, type TranscriptLimits, type TranscriptRecorder } from "./types.js";

export interface TranscriptRecorderOptions {
  /** Where batches go: the store's transcripts, or a collector on a worker without a database. */
  sink: Pick<TranscriptStore, "append">;
  limits?: Partial<TranscriptLimits>;
  /** Values never to store (API keys, private keys, tokens); credential shapes are removed anyway. */
  secrets?: readonly string[];
  clock?: Clock;
  /** Timers of the batch writes. Default: background timers (a pending write never keeps the process alive; close() flushes). */
  timers?: Timers;
  /** Longest wait before a batch is written. Default 250 ms. */
  flushMs?: number;
  /** Entries that trigger a write at once. Default 500. */
  maxBatch?: number;
  log?: Logger;
}

interface AgentState {
  bytes: number;
  truncated: boolean;
}

/** Creates a recorder; close it on shutdown so the last batch is written. */
export function createTranscriptRecorder(options: TranscriptRecorderOptions): TranscriptRecorder {
  const limits: TranscriptLimits = { ...DEFAULT_TRANSCRIPT_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const log = options.log ?? pino({ level: "silent" });
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 8);
  const flushMs = options.flushMs ?? 250;
  const maxBatch = options.maxBatch ?? 500;
  let buffer: TranscriptEntryInput[] = [];
  const timers = options.timers ?? backgroundTimers;
  let timer: unknown = null;
  let writing: Promise<void> = Promise.resolve();
  /** Runs whose bound the store refused: later batches go in short form only. */
  const fullRuns = new Set<string>();
  /** Documents already written by this process, by run and hash. */
  const written = new Set<string>();

  const processTag = randomBytes(3).toString("hex");
  let executions = 0;
  /** Recent shared documents as stored, by their text: agents of a run share a few, so each is cleaned and hashed once. */
  const documents = new Map<string, { body: string; hash: string }>();

  /**
   * `text` without secrets, cut to `max` characters. Only the part that can
   * be kept (plus a margin wider than any secret, so one cut in half is still
   * recognised) is searched: a megabyte of tool output costs what 6 KB do.
   */
  const clean = (text: string, max: number): string => {
    if (text.length <= max + REDACT_MARGIN) return cut(redactSecrets(text, secrets), max);
    return `${redactSecrets(text.slice(0, max + REDACT_MARGIN), secrets).slice(0, max)}…[${text.length - max} more characters]`;
  };

  function push(entry: Omit<TranscriptEntryInput, "bytes" | "at">, bytes = Buffer.byteLength(JSON.stringify(entry.body))): void {
    const { runId, agentId, execution, seq, kind, body } = entry;
    buffer.push({ runId, agentId, execution, seq, kind, body, bytes, at: clock.now() });
    if (buffer.length >= maxBatch) schedule(0);
    else schedule(flushMs);
  }

  function schedule(delay: number): void {
    if (timer !== null && delay > 0) return;
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = null;
      void flush();
    }, delay);
  }

  function flush(): Promise<void> {
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) writing = writing.then(() => write(batch));
    return writing;
  }

  async function write(batch: TranscriptEntryInput[]): Promise<void> {
    try {
      // One pass: a batch can hold thousands of entries when writes fall behind.
      const bounded: TranscriptEntryInput[] = [];
      const rest: TranscriptEntryInput[] = [];
      for (const entry of batch) (entry.agentId !== DOC_AGENT && !fullRuns.has(entry.runId) ? bounded : rest).push(entry);
      if (bounded.length > 0) {
        const result = await options.sink.append(bounded, { runLimitBytes: limits.runBytes });
        if (!result.accepted) {
          for (const entry of bounded) fullRuns.add(entry.runId);
          // The store refused the batch whole; its runs now get short entries only.
          rest.push(...bounded);
        }
      }
      const short = shortForm(rest.filter((entry) => entry.agentId !== DOC_AGENT), limits);
      const docs = rest.filter((entry) => entry.agentId === DOC_AGENT);
      if (short.length + docs.length > 0) await options.sink.append([...docs, ...short], { runLimitBytes: limits.runBytes, unbounded: true });
    } catch (error) {
      log.warn({ err: error, entries: batch.length }, "could not store transcript entries; they are dropped");
    }
  }

  function document(runId: string, name: string, text: string): string {
    let known = documents.get(text);
    if (known === undefined) {
      const body = clean(text, 64_000);
      known = { body, hash: createHash("sha256").update(body).digest("hex").slice(0, 16) };
      documents.set(text, known);
      if (documents.size > 64) documents.delete(documents.keys().next().value as string);
    }
    const { body, hash } = known;
    const key = `${runId}\n${hash}`;
    if (!written.has(key)) {
      written.add(key);
      push({ runId, agentId: DOC_AGENT, execution: hash, seq: 0, kind: "doc", body: { name, hash, text: body } });
    }
    return hash;
  }

  function open(agent: AgentIdentity): AgentTranscript {
    // Unique across processes and restarts: a resumed agent writes a stream of its own.
    const execution = `${clock.now().toString(36)}-${processTag}${(executions++).toString(36)}`;
    const state: AgentState = { bytes: 0, truncated: false };
    let seq = 0;
    const record = (kind: TranscriptKind, body: JsonValue, always = false, size = Buffer.byteLength(JSON.stringify(body))) => {
      if (!always) {
        if (state.truncated) return;
        if (state.bytes + size > limits.agentBytes) {
          state.truncated = true;
          push({ runId: agent.runId, agentId: agent.agentId, execution, seq: seq++, kind: "truncated", body: { reason: "agent", limitBytes: limits.agentBytes } });
          return;
        }
      }
      state.bytes += size;
      push({ runId: agent.runId, agentId: agent.agentId, execution, seq: seq++, kind, body }, size);
    };
    record("start", { label: clean(agent.label, 300), role: agent.role, attempt: agent.attempt, judges: agent.judges ?? null });

    return {
      prompt(input) {
        record("prompt", {
          model: input.model,
          system: document(agent.runId, `${agent.role} system prompt`, input.system),
          shared: document(agent.runId, "task context", input.shared),
          prompt: clean(input.prompt, limits.promptChars),
        });
      },
      turn(input) {
        record("turn", {
          turn: input.turn,
          usage: { ...input.usage },
          costUsd: input.costUsd,
          stopReason: input.stopReason,
          text: clean(input.text, limits.textChars),
          ms: input.ms,
        });
      },
      tool(input) {
        record("tool", {
          turn: input.turn,
          name: clean(input.name, 100),
          input: clean(JSON.stringify(input.input) ?? "null", limits.toolInputChars),
          output: clean(input.output, limits.toolOutputChars),
          isError: input.isError,
          ms: input.ms,
        });
      },
      end(ending) {
        const output = ending.output === undefined ? null : clean(typeof ending.output === "string" ? ending.output : JSON.stringify(ending.output), limits.textChars);
        const change = ending.change
          ? { branch: ending.change.branch, commit: ending.change.commit, base: ending.change.base, additions: ending.change.additions, deletions: ending.change.deletions, incomplete: ending.change.incomplete, files: ending.change.files.slice(0, 200).map((f) => ({ ...f })) }
          : null;
        const full = {
          status: ending.status,
          output,
          outputIsJson: ending.output !== undefined && typeof ending.output !== "string",
          summary: ending.summary ? clean(ending.summary, limits.textChars) : null,
          error: ending.error ? clean(ending.error, 2_000) : null,
          change,
          diff: ending.diff ? clean(ending.diff, limits.diffChars) : null,
          usage: { ...ending.usage },
          costUsd: ending.costUsd,
          turns: ending.turns ?? null,
        };
        // The end is always kept: without room, in a form that leaves the long parts out.
        const fullBytes = Buffer.byteLength(JSON.stringify(full));
        const fits = state.bytes + fullBytes <= limits.agentBytes;
        // A refuter's verdict also as a tiny entry, so the run page lists every verdict without reading whole endings.
        const verdict = verdictOf(ending.output);
        if (verdict !== null) record("verdict", { verdict }, true);
        if (fits) record("end", full, true, fullBytes);
        else record("end", { ...full, output: output === null ? null : cut(output, 500), diff: null, summary: full.summary === null ? null : cut(full.summary, 500), shortened: true }, true);
      },
    };
  }

  function receive(runId: string, agentId: string, entries: unknown): number {
    if (!Array.isArray(entries)) return 0;
    let kept = 0;
    for (const raw of entries.slice(0, MAX_RECEIVED)) {
      const entry = readEntry(raw);
      if (entry === null || entry.runId !== runId) continue;
      if (entry.agentId === DOC_AGENT) {
        const key = `${runId}\n${entry.execution}`;
        if (entry.kind !== "doc" || written.has(key)) continue;
        written.add(key);
      } else if (entry.agentId !== agentId || entry.kind === "doc") {
        continue;
      }
      const body = cleanJson(entry.body, secrets);
      buffer.push({ ...entry, body, bytes: Buffer.byteLength(JSON.stringify(body)) });
      kept += 1;
    }
    if (kept > 0) schedule(buffer.length >= maxBatch ? 0 : flushMs);
    return kept;
  }

  return {
    open,
    document(runId, name, text) {
      document(runId, name, text);
    },
    receive,
    flush,
    async close() {
      await flush();
    },
  };
}

/**
 * For runs over their bound: one `truncated` entry per agent execution, and
 * each `end` entry with its long parts left out.
 */
function shortForm(entries: TranscriptEntryInput[], limits: TranscriptLimits): TranscriptEntryInput[] {
  const out: TranscriptEntryInput[] = [];
  const marked = new Set<string>();
  for (const entry of entries) {
    const stream = `${entry.runId}\n${entry.agentId}\n${entry.execution}`;
    if (!marked.has(stream) && entry.kind !== "truncated") {
      marked.add(stream);
      const body = { reason: "run", limitBytes: limits.runBytes };
      // One fixed number per stream: a marker written by two batches is stored once.
      out.push({ ...entry, seq: RUN_MARKER_SEQ, kind: "truncated", body, bytes: Buffer.byteLength(JSON.stringify(body)) });
    }
    if (entry.kind === "end" && entry.body !== null && typeof entry.body === "object" && !Array.isArray(entry.body)) {
      const body = { ...entry.body, output: null, diff: null, summary: null, shortened: true };
      out.push({ ...entry, body, bytes: Buffer.byteLength(JSON.stringify(body)) });
    }
  }
  return out;
}

const RUN_MARKER_SEQ = 999_999;

/** Characters searched for secrets past a field's cut: more than any credential shape or known secret is long. */
const REDACT_MARGIN = 4_096;

/** Most entries taken from one received list (an agent within its bound writes far fewer). */
const MAX_RECEIVED = 20_000;
const KINDS: ReadonlySet<string> = new Set<TranscriptKind>(["start", "prompt", "turn", "tool", "truncated", "verdict", "end", "doc"]);

/** A received entry when it has the shape this version writes; null otherwise. */
function readEntry(raw: unknown): TranscriptEntryInput | null {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const e = raw as Record<string, unknown>;
  const text = (value: unknown, max: number) => typeof value === "string" && value.length > 0 && value.length <= max;
  const whole = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
  if (!text(e.runId, 200) || !text(e.agentId, 200) || !text(e.execution, 100) || !whole(e.seq) || !whole(e.at)) return null;
  if (typeof e.kind !== "string" || !KINDS.has(e.kind) || e.body === undefined) return null;
  return { runId: e.runId as string, agentId: e.agentId as string, execution: e.execution as string, seq: e.seq as number, kind: e.kind, body: e.body as JsonValue, bytes: 0, at: e.at as number };
}

/** `value` with secrets removed from every string in it. */
function cleanJson(value: JsonValue, secrets: readonly string[]): JsonValue {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => cleanJson(item, secrets));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanJson(item, secrets)]));
  return value;
}

/** The `verdict` of a refuter's result object, if it has one. */
function verdictOf(output: JsonValue | undefined): string | null {
  if (output === null || output === undefined || typeof output !== "object" || Array.isArray(output)) return null;
  return typeof output.verdict === "string" ? output.verdict.slice(0, 40) : null;
}

/** `text` cut to `max` characters, saying how much was left out. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

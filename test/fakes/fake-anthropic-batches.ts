/**
 * The Message Batches endpoints of the fake Anthropic API (see
 * fake-anthropic.ts, which routes to them and answers each batched request
 * with the same scripted handler as `POST /v1/messages`).
 *
 * - `POST /v1/messages/batches` validates `{ requests: [{ custom_id, params }] }`
 *   (non-empty, `custom_id` unique and 1–64 of `[A-Za-z0-9_-]`), answers the new
 *   batch `in_progress`, and processes every request: the handler/queue decides
 *   each one's reply as for `/v1/messages`.
 * - The batch ends after `batchDelayMs` (or the longest `delayMs` of its
 *   replies, whichever is longer). A `hang` reply keeps it `in_progress` until
 *   it is cancelled.
 * - `GET /v1/messages/batches/:id` answers the batch; `results_url` is set once
 *   it has ended. `GET .../results` answers the JSONL, in reverse request order
 *   (the real API does not keep the order either, so clients must match
 *   `custom_id`).
 * - `POST .../cancel` cancels every request that has no result yet and ends
 *   the batch.
 */
import type { ServerResponse } from "node:http";
import type { Clock } from "../../src/runtime/types.js";

type Json = unknown;

/** What processing one batched request produced: a result line, or nothing ever (`hang`). */
export type BatchItemOutcome = { result: Json; delayMs: number } | { hang: true };

/** A batch as tests see it. */
export interface FakeBatch {
  id: string;
  customIds: string[];
  processingStatus: "in_progress" | "canceling" | "ended";
  /** Set once cancelled. */
  cancelled: boolean;
}

export type BatchRoute =
  | { kind: "create" }
  | { kind: "retrieve"; id: string }
  | { kind: "results"; id: string }
  | { kind: "cancel"; id: string };

export interface BatchEndpointsDeps {
  clock: Clock;
  /** Default processing time of a batch, in ms. */
  batchDelayMs: number;
  /** The server's base URL (known once it listens). */
  url: () => string;
  /** Processes one batched request (its params become a recorded `/v1/messages` request). */
  processItem: (batchId: string, customId: string, params: Json) => Promise<BatchItemOutcome>;
  sleep: (ms: number) => Promise<boolean>;
}

type Fail = (status: number, type: string, message: string) => void;

interface BatchState {
  summary: FakeBatch;
  createdAt: number;
  endedAt: number | null;
  cancelInitiatedAt: number | null;
  /** Result line per custom_id, once decided. */
  results: Map<string, Json>;
}

const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DAY = 24 * 60 * 60_000;

/** Creates the batch endpoints over the fake's shared state. */
export function createBatchEndpoints(deps: BatchEndpointsDeps) {
  const states = new Map<string, BatchState>();
  const batches: FakeBatch[] = [];

  function route(method: string, path: string): BatchRoute | null {
    if (path === "/v1/messages/batches") return method === "POST" ? { kind: "create" } : null;
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    if (!match) return null;
    const id = decodeURIComponent(match[1] as string);
    if (match[2] === "/results") return method === "GET" ? { kind: "results", id } : null;
    if (match[2] === "/cancel") return method === "POST" ? { kind: "cancel", id } : null;
    return method === "GET" ? { kind: "retrieve", id } : null;
  }

  function serve(target: BatchRoute, body: Json, res: ServerResponse, fail: Fail): number {
    if (target.kind === "create") return create(body, res, fail);
    const state = states.get(target.id);
    if (!state) return failed(fail, 404, "not_found_error", `no message batch ${target.id}`);
    if (target.kind === "cancel") cancel(state);
    if (target.kind === "results") {
      if (state.summary.processingStatus !== "ended") {
        return failed(fail, 404, "not_found_error", `batch ${state.summary.id} has not ended; its results are not available yet`);
      }
      const lines = [...state.summary.customIds].reverse().map((customId) => JSON.stringify({ custom_id: customId, result: state.results.get(customId) }));
      res.writeHead(200, { "content-type": "application/x-jsonl" });
      res.end(`${lines.join("\n")}\n`);
      return 200;
    }
    send(res, 200, batchJson(state));
    return 200;
  }

  function create(body: Json, res: ServerResponse, fail: Fail): number {
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests) || requests.length === 0) return failed(fail, 400, "invalid_request_error", "requests: a non-empty list is required");
    const seen = new Set<string>();
    for (const request of requests as { custom_id?: unknown; params?: unknown }[]) {
      const id = request?.custom_id;
      if (typeof id !== "string" || !CUSTOM_ID.test(id)) return failed(fail, 400, "invalid_request_error", "custom_id must be 1-64 of [A-Za-z0-9_-]");
      if (seen.has(id)) return failed(fail, 400, "invalid_request_error", `custom_id ${id} is used twice`);
      if (typeof request.params !== "object" || request.params === null) return failed(fail, 400, "invalid_request_error", "params must be an object");
      seen.add(id);
    }
    const summary: FakeBatch = { id: `msgbatch_fake_${batches.length}`, customIds: [...seen], processingStatus: "in_progress", cancelled: false };
    const state: BatchState = { summary, createdAt: deps.clock.now(), endedAt: null, cancelInitiatedAt: null, results: new Map() };
    states.set(summary.id, state);
    batches.push(summary);
    send(res, 200, batchJson(state));
    void process(state, requests as { custom_id: string; params: Json }[]);
    return 200;
  }

  async function process(state: BatchState, requests: { custom_id: string; params: Json }[]): Promise<void> {
    let hangs = false;
    let longest = deps.batchDelayMs;
    const decided = new Map<string, Json>();
    for (const request of requests) {
      const outcome = await deps.processItem(state.summary.id, request.custom_id, request.params);
      if ("hang" in outcome) hangs = true;
      else {
        decided.set(request.custom_id, outcome.result);
        longest = Math.max(longest, outcome.delayMs);
      }
    }
    if (!(await deps.sleep(longest)) || state.summary.processingStatus === "ended") return;
    for (const [id, result] of decided) state.results.set(id, result);
    if (!hangs) end(state);
  }

  function cancel(state: BatchState): void {
    if (state.summary.processingStatus === "ended") return;
    state.summary.cancelled = true;
    state.cancelInitiatedAt = deps.clock.now();
    for (const id of state.summary.customIds) if (!state.results.has(id)) state.results.set(id, { type: "canceled" });
    end(state);
  }

  function end(state: BatchState): void {
    state.summary.processingStatus = "ended";
    state.endedAt = deps.clock.now();
  }

  function batchJson(state: BatchState): Json {
    const ended = state.summary.processingStatus === "ended";
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const id of state.summary.customIds) {
      const type = ended ? ((state.results.get(id) as { type?: string } | undefined)?.type ?? "expired") : "processing";
      counts[type as keyof typeof counts] += 1;
    }
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: state.summary.id,
      type: "message_batch",
      processing_status: state.summary.processingStatus,
      request_counts: counts,
      created_at: iso(state.createdAt),
      expires_at: iso(state.createdAt + DAY),
      ended_at: iso(state.endedAt),
      archived_at: null,
      cancel_initiated_at: iso(state.cancelInitiatedAt),
      results_url: ended ? `${deps.url()}/v1/messages/batches/${state.summary.id}/results` : null,
    };
  }

  return { route, serve, batches };
}

function failed(fail: Fail, status: number, type: string, message: string): number {
  fail(status, type, message);
  return status;
}

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Transcripts of a worker without the database: recorded as anywhere else
 * (batched, bounded, secrets removed), but kept in memory per agent and
 * handed to the job's outcome, so the run's owner stores them with the
 * result. A shared document (a system prompt, the task context) travels
 * once per worker and run, with the first agent whose prompt refers to it;
 * the owner stores it once however many workers send it.
 */
import type { TranscriptEntryInput, TranscriptStore } from "../store/index.js";
import { createTranscriptRecorder, type TranscriptRecorderOptions } from "./create-transcript-recorder.js";
import { DOC_AGENT, type TranscriptRecorder } from "./types.js";

/** Documents recorded but not yet sent with an agent's outcome; the oldest are dropped past this. */
const MAX_PENDING_DOCUMENTS = 1000;

export interface ShippedTranscripts {
  /** The recorder to give the worker's agent runners. */
  recorder: TranscriptRecorder;
  /**
   * Flushes, then takes what was recorded for the agent on this worker since
   * the last call: its entries, then the documents they refer to that have
   * not been sent before. Empty when nothing was recorded.
   */
  collect(runId: string, agentId: string): Promise<TranscriptEntryInput[]>;
}

/** Creates the recorder and its collector; see the module comment. */
export function createShippedTranscripts(options: Omit<TranscriptRecorderOptions, "sink">): ShippedTranscripts {
  const agents = new Map<string, TranscriptEntryInput[]>();
  const documents = new Map<string, TranscriptEntryInput>();

  const sink: Pick<TranscriptStore, "append"> = {
    async append(entries) {
      for (const entry of entries) {
        if (entry.agentId === DOC_AGENT) {
          documents.set(`${entry.runId}\n${entry.execution}`, entry);
          if (documents.size > MAX_PENDING_DOCUMENTS) documents.delete(documents.keys().next().value as string);
          continue;
        }
        const key = `${entry.runId}\n${entry.agentId}`;
        const list = agents.get(key);
        if (list) list.push(entry);
        else agents.set(key, [entry]);
      }
      // Every entry is kept: the run's bound is applied where the owner stores them.
      return { stored: entries.length, accepted: true };
    },
  };
  const recorder = createTranscriptRecorder({ ...options, sink });

  return {
    recorder,
    async collect(runId, agentId) {
      await recorder.flush();
      const key = `${runId}\n${agentId}`;
      const entries = agents.get(key) ?? [];
      agents.delete(key);
      const referenced: TranscriptEntryInput[] = [];
      for (const entry of entries) {
        if (entry.kind !== "prompt") continue;
        for (const hash of documentHashes(entry)) {
          const doc = documents.get(`${runId}\n${hash}`);
          if (doc === undefined) continue;
          documents.delete(`${runId}\n${hash}`);
          referenced.push(doc);
        }
      }
      return [...entries, ...referenced];
    },
  };
}

/** The hashes of the shared documents a `prompt` entry refers to. */
function documentHashes(entry: TranscriptEntryInput): string[] {
  const body = entry.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  return [body.system, body.shared].filter((value): value is string => typeof value === "string");
}

/**
 * Opens an agent's transcript around one run of it and records how it
 * ended: its result, summary, change with the change's diff, or why it
 * failed or was stopped. The conversation in between is recorded by the tool
 * loop through the same transcript.
 */
import { AgentFailedError, AgentStoppedError } from "../runtime/errors.js";
import { ZERO_USAGE, type AgentRequest, type AgentResult, type ChangeRef, type JsonValue } from "../runtime/types.js";
import type { AgentTranscript, TranscriptRecorder } from "./types.js";

/** What the transcript needs of the repository: the diff of a change. */
export interface DiffSource {
  diff(from: string, to: string): Promise<string>;
}

/** Runs `run` with a transcript open for `request`; the result or error passes through unchanged. */
export async function recordAgent(
  recorder: TranscriptRecorder,
  request: AgentRequest,
  repository: DiffSource,
  run: (transcript: AgentTranscript) => Promise<AgentResult>,
): Promise<AgentResult> {
  const transcript = recorder.open({
    runId: request.runId,
    agentId: request.agentId,
    label: request.label,
    role: request.options.role ?? "worker",
    attempt: request.attempt,
    judges: judgedCommit(request.options.subject),
  });
  try {
    const result = await run(transcript);
    const summary = typeof result.meta?.summary === "string" ? result.meta.summary : null;
    transcript.end({
      status: "finished",
      output: result.output,
      summary,
      change: result.change ?? null,
      diff: await diffOf(repository, result.change ?? null),
      usage: result.usage,
      costUsd: result.costUsd,
      turns: typeof result.meta?.turns === "number" ? result.meta.turns : undefined,
    });
    return result;
  } catch (error) {
    const stopped = request.signal.reason instanceof AgentStoppedError || (error instanceof AgentFailedError && error.stopped);
    const failed = error instanceof AgentFailedError ? error : null;
    transcript.end({
      status: stopped ? "stopped" : "failed",
      error: error instanceof Error ? error.message : String(error),
      change: failed?.change ?? null,
      diff: await diffOf(repository, failed?.change ?? null),
      usage: failed?.usage ?? { ...ZERO_USAGE },
      costUsd: failed?.costUsd ?? 0,
    });
    throw error;
  }
}

/** The diff of a change for the transcript; none when it has no files or git cannot tell. */
async function diffOf(repository: DiffSource, change: ChangeRef | null): Promise<string | null> {
  if (change === null || change.files.length === 0) return null;
  return repository.diff(change.base, change.commit).catch(() => null);
}

/** The commit of the change a refuter's subject names, if any. */
function judgedCommit(subject: JsonValue | undefined): string | null {
  if (subject === null || typeof subject !== "object" || Array.isArray(subject)) return null;
  const change = subject.change;
  if (change === null || typeof change !== "object" || Array.isArray(change)) return null;
  return typeof change.commit === "string" ? change.commit : null;
}

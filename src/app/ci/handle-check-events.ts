/**
 * Webhooks that say CI moved on a commit (`check_suite`, `check_run`,
 * `workflow_run`, completed; a commit `status` that is no longer pending):
 * every CI wait on that commit is signalled and its run's CI step queued. Nothing is read from GitHub here (a webhook has
 * ten seconds); the step reads the checks itself.
 */
import type { Logger } from "pino";
import type { RunQueue } from "../../queue/runs/run-queue.js";
import type { Store } from "../../store/index.js";

export interface CheckEventDeps {
  store: Store;
  queue: RunQueue;
  log: Logger;
}

/**
 * The commit a completed CI event is about, from any of the three check
 * payloads or a settled commit status; null when it names none (a status
 * still pending names none: nothing to look at yet).
 */
export function headShaOf(payload: unknown): string | null {
  const p = payload as { check_suite?: { head_sha?: unknown }; check_run?: { head_sha?: unknown }; workflow_run?: { head_sha?: unknown }; sha?: unknown; state?: unknown };
  const status = typeof p.state === "string" && p.state !== "pending" ? p.sha : undefined;
  const sha = p.check_suite?.head_sha ?? p.check_run?.head_sha ?? p.workflow_run?.head_sha ?? status;
  return typeof sha === "string" && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** Signals the waits on the event's commit and queues their CI steps; resolves the run ids. */
export async function onCiCompleted(payload: { repository: { name: string; owner: { login: string } } }, deps: CheckEventDeps): Promise<string[]> {
  const headSha = headShaOf(payload);
  if (headSha === null) return [];
  const runIds = await deps.store.ciWaits.signalHead({ owner: payload.repository.owner.login, repo: payload.repository.name, headSha });
  for (const runId of runIds) await deps.queue.enqueue({ runId, step: "ci" });
  if (runIds.length > 0) deps.log.info({ headSha, runs: runIds }, "CI moved on a consolidated branch: its CI step is queued");
  return runIds;
}

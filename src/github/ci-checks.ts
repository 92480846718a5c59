/**
 * The repository's own CI as GitHub reports it on a commit: its check runs
 * and commit statuses, a failing run's annotations, and the end of an Actions
 * job's log. Reads only (`checks: read`, `statuses: read`, `actions: read`).
 */
import type { Logger } from "pino";
import type { CheckRunInfo, FailingCheck } from "../ci/types.js";
import { logTail, REPAIR_LIMITS } from "../ci/repair-task.js";
import { requestFailure, type GitHubClient } from "./github-client.js";

/** Bytes of a job's log asked for: its end, far more than the tail shown. */
const LOG_BYTES = 65_536;

/** Check runs on a commit, at most `max` (the latest of each name first, as GitHub lists them). */
export async function listCheckRuns(github: GitHubClient, where: { owner: string; repo: string; ref: string }, max = 500): Promise<CheckRunInfo[]> {
  const runs: CheckRunInfo[] = [];
  for await (const page of github.paginate.iterator(github.rest.checks.listForRef, { owner: where.owner, repo: where.repo, ref: where.ref, filter: "latest", per_page: 100 })) {
    for (const run of page.data) {
      runs.push({
        kind: "check-run",
        id: run.id,
        name: run.name,
        status: run.status,
        conclusion: run.conclusion ?? null,
        appSlug: run.app?.slug ?? null,
        detailsUrl: run.details_url ?? null,
        title: run.output?.title ?? null,
      });
    }
    if (runs.length >= max) break;
  }
  return runs.slice(0, max);
}

/**
 * The commit statuses on a commit, the latest of each context, at most `max`
 * contexts. A status is read as a check named by its context: `pending` is
 * still running, `success` passed, `failure` and `error` failed. An
 * installation that has not granted `statuses: read` (the permission came
 * later than `checks: read`) has none to read: logged, and only its check
 * runs count.
 */
export async function listCommitStatuses(
  github: GitHubClient,
  where: { owner: string; repo: string; ref: string },
  log: Logger,
  max = 500,
): Promise<CheckRunInfo[]> {
  const latest = new Map<string, CheckRunInfo>();
  try {
    // Newest first: the first status of a context is its current one.
    for await (const page of github.paginate.iterator(github.rest.repos.listCommitStatusesForRef, { owner: where.owner, repo: where.repo, ref: where.ref, per_page: 100 })) {
      for (const status of page.data) {
        if (latest.has(status.context) || latest.size >= max) continue;
        latest.set(status.context, {
          kind: "status",
          id: status.id,
          name: status.context,
          status: status.state === "pending" ? "in_progress" : "completed",
          conclusion: status.state === "pending" ? null : status.state,
          appSlug: null,
          detailsUrl: status.target_url ?? null,
          title: status.description ?? null,
        });
      }
      if (latest.size >= max) break;
    }
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status !== 403 && status !== 404) throw error;
    log.warn({ ...requestFailure(error) }, "could not read the commit's statuses (does the installation grant statuses: read?); only check runs count");
    return [];
  }
  return [...latest.values()];
}

/**
 * What a repair agent is shown of a failing check: its annotations and, for
 * an Actions job (whose check run id is the job id), the end of its log.
 * What cannot be read is left out and logged; it never fails the round.
 */
export async function readFailingCheck(github: GitHubClient, where: { owner: string; repo: string }, run: CheckRunInfo, log: Logger): Promise<FailingCheck> {
  // A commit status has no annotations and no log: its description is what it says.
  if (run.kind === "status") return { name: run.name, conclusion: run.conclusion ?? "unknown", title: run.title, annotations: [], logTail: null };
  const annotations: FailingCheck["annotations"] = [];
  try {
    const { data } = await github.rest.checks.listAnnotations({ owner: where.owner, repo: where.repo, check_run_id: run.id, per_page: REPAIR_LIMITS.annotationsPerCheck });
    for (const a of data) annotations.push({ path: a.path, line: a.start_line ?? null, level: a.annotation_level ?? "failure", message: a.message ?? "" });
  } catch (error) {
    log.warn({ check: run.name, ...requestFailure(error) }, "could not read the check's annotations");
  }
  let tail: string | null = null;
  if (run.appSlug === "github-actions") {
    try {
      // Only the end of the log is wanted: the download (a redirect to storage that honours ranges) is asked for its last bytes.
      const { data } = await github.rest.actions.downloadJobLogsForWorkflowRun({ owner: where.owner, repo: where.repo, job_id: run.id, headers: { range: `bytes=-${LOG_BYTES}` } });
      const text = typeof data === "string" ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : null;
      if (text !== null) tail = logTail(text);
    } catch (error) {
      log.warn({ check: run.name, ...requestFailure(error) }, "could not read the job's log");
    }
  }
  return { name: run.name, conclusion: run.conclusion ?? "unknown", title: run.title, annotations, logTail: tail };
}

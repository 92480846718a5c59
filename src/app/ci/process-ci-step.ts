/**
 * The CI step of a run: read the checks (check runs and commit statuses) on
 * the consolidated branch's head commit and move the wait on. Queued by a
 * webhook about that commit, by the sweep when a deadline passes, and at
 * start for every wait (webhooks missed while no process ran). It holds the run's lease like any step; between
 * steps nothing is held: the `ci_waits` row is the wait.
 *
 * - pending, before the deadline: nothing (the next webhook queues the step again);
 * - pending at the deadline: timed out, reported, the pull request stays a draft;
 * - green: passed, reported, the pull request is ready for review;
 * - red with repair rounds left: a repair round, pushed; the wait goes on on the new commit;
 * - red with none left, or a repair that changed nothing: failed, reported.
 */
import type { Logger } from "pino";
import { evaluateChecks } from "../../ci/evaluate-checks.js";
import type { CiRound, CiVerdict } from "../../ci/types.js";
import { listCheckRuns, listCommitStatuses, readFailingCheck } from "../../github/ci-checks.js";
import type { GitHubClient } from "../../github/github-client.js";
import { messageOf } from "../../errors.js";
import type { CiWait, CiWaitState, RunRecord } from "../../store/index.js";
import type { AppRuntime } from "../services/types.js";
import { timeoutMsOf, viewOf, type CiWaitView } from "./ci-wait-view.js";
import { repairCi } from "./repair-ci.js";
import { showCiState } from "./show-ci-state.js";

/** Evaluations of one step at most: webhooks arriving while it evaluates make it look again, within reason. */
const MAX_LOOKS = 20;

/** Moves run `runId`'s CI wait on; never throws for GitHub's or a repair's failures (logged, reported). */
export async function processCiStep(runId: string, runtime: AppRuntime, signal: AbortSignal = new AbortController().signal): Promise<void> {
  const log = runtime.log.child({ runId, step: "ci" });
  for (let look = 0; look < MAX_LOOKS; look++) {
    const stored = await runtime.store.ciWaits.get(runId);
    const run = await runtime.store.runs.get(runId);
    if (stored === undefined || stored.state !== "waiting" || run === undefined) return;
    const view = viewOf(stored);
    const github = await runtime.github(stored.installationId);
    let verdict: CiVerdict;
    try {
      const where = { owner: stored.owner, repo: stored.repo, ref: stored.headSha };
      const [runs, statuses] = await Promise.all([listCheckRuns(github, where), listCommitStatuses(github, where, log)]);
      const checks = [...runs, ...statuses];
      verdict = evaluateChecks(checks, view.settings, await runtime.appSlug());
    } catch (error) {
      // GitHub did not answer: the next webhook or the sweep looks again.
      log.warn({ err: error }, "could not read the checks of the consolidated branch");
      return;
    }
    const again = await decide({ runtime, github, run, view, verdict, signal, log });
    if (!again) return;
  }
}

interface Decision {
  runtime: AppRuntime;
  github: GitHubClient;
  run: RunRecord;
  view: CiWaitView;
  verdict: CiVerdict;
  signal: AbortSignal;
  log: Logger;
}

/** Acts on the verdict; true when the step should look again (new signals, or a new commit after a repair). */
async function decide(d: Decision): Promise<boolean> {
  const { runtime, view, verdict, log } = d;
  const { wait } = view;
  if (verdict.state === "pending") {
    if (runtime.clock.now() < wait.deadline) {
      log.debug({ waitingFor: verdict.waitingFor }, "CI still running");
      const now = await runtime.store.ciWaits.get(wait.runId);
      return now !== undefined && now.state === "waiting" && now.signals !== wait.signals;
    }
    await settle(d, "timed-out", { round: wait.round, headSha: wait.headSha, outcome: "timed-out", failing: verdict.waitingFor });
    return false;
  }
  if (verdict.state === "passed") {
    await settle(d, "passed", { round: wait.round, headSha: wait.headSha, outcome: "passed", failing: [] });
    return false;
  }
  const failing = verdict.failing.map((check) => check.name);
  if (wait.round >= view.settings.repairRounds) {
    await settle(d, "failed", { round: wait.round, headSha: wait.headSha, outcome: "failed", failing });
    return false;
  }
  return repair(d, failing);
}

/** A repair round, then the wait goes on on the pushed commit. */
async function repair(d: Decision, failing: string[]): Promise<boolean> {
  const { runtime, github, run, view, verdict, log } = d;
  const { wait } = view;
  if (verdict.state !== "failed") return false;
  const round = wait.round + 1;
  log.info({ round, failing }, "CI failed: starting a repair round");
  await showCiState(github, run, wait, log, { now: `CI failed on \`${wait.headSha.slice(0, 7)}\` (${failing.join(", ")}): repair round ${round} of ${view.settings.repairRounds} is running.` });
  let outcome;
  try {
    const details = [];
    for (const check of verdict.failing.slice(0, 8)) details.push(await readFailingCheck(github, { owner: wait.owner, repo: wait.repo }, check, log));
    outcome = await repairCi({ runtime, github, run, view, failing: details, signal: d.signal, log });
  } catch (error) {
    log.warn({ err: error }, "the CI repair round failed");
    outcome = { kind: "unchanged" as const, note: `Repair round ${round} failed: ${messageOf(error)}` };
  }
  if (outcome.kind === "unchanged") {
    await settle(d, "failed", { round: wait.round, headSha: wait.headSha, outcome: "repair-failed", failing, note: outcome.note });
    return false;
  }
  const history: CiRound[] = [...view.history, { round: wait.round, headSha: wait.headSha, outcome: "repaired", failing }];
  const moved = await runtime.store.ciWaits.update(
    wait.runId,
    { headSha: outcome.headSha, round, history, deadline: runtime.clock.now() + timeoutMsOf(view.settings) },
    { state: "waiting" },
  );
  if (!moved) return false;
  const next = await runtime.store.ciWaits.get(wait.runId);
  if (next !== undefined) await showCiState(github, run, next, log);
  // CI may have finished on the new commit before the row named it: look once more.
  return true;
}

/**
 * Ends the wait in `state` (unless another process moved it on first) and
 * shows it, the pull request made ready first when CI passed and the run
 * allows it. True when this call ended it.
 */
async function settle(d: Decision, state: Exclude<CiWaitState, "waiting">, round: CiRound): Promise<boolean> {
  const { runtime, github, run, view, log } = d;
  const history = [...view.history, round];
  const done = await runtime.store.ciWaits.update(view.wait.runId, { state, history }, { state: "waiting" });
  if (!done) return false;
  log.info({ state, round: round.round, failing: round.failing }, "CI wait ended");
  const settled: CiWait = { ...view.wait, state, history };
  await showCiState(github, run, settled, log, { ready: state === "passed" && settled.readyWhenGreen });
  return true;
}

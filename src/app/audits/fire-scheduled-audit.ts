/**
 * What a schedule's occurrence does: record the audit's run on the head of
 * the default branch and queue it. The run's id is derived from the schedule
 * and the occurrence (`scheduledRunId`), so an occurrence delivered twice (a
 * BullMQ retry, two processes racing) finds its run already recorded and
 * starts nothing.
 */
import { scheduledRunId, type FireSchedule, type ScheduledFiring } from "../../audit/index.js";
import { InvalidRepoConfigError } from "../errors.js";
import { loadRepoConfigOf } from "../services/load-repo-config-of.js";
import { queueNewRun } from "../commands/queue-new-run.js";
import { findAuditWorkflow, recordAuditRun } from "./record-audit-run.js";
import type { AppRuntime } from "../services/types.js";

/**
 * The scheduler's `fire` for this app. It reads the repository's current
 * config for the run's settings (models, caps, refuters) and runs the audit
 * as the schedule holds it. A disabled repository (`enabled: false`) starts
 * nothing; an invalid config throws `InvalidRepoConfigError`, which the
 * scheduler logs (the occurrence is not retried).
 */
export function createScheduledAuditFire(runtime: AppRuntime): FireSchedule {
  return async (firing: ScheduledFiring) => {
    const { schedule, audit } = firing;
    const { installationId, owner, repo } = schedule;
    const log = runtime.log.child({ installationId, owner, repo, audit: audit.name, at: firing.at });
    const github = await runtime.github(installationId);
    const loaded = await loadRepoConfigOf(github, owner, repo, { prices: runtime.prices });
    if (!loaded.ok) throw new InvalidRepoConfigError(owner, repo, loaded.errors.length);
    if (!loaded.config.enabled) {
      log.info("dynflow is turned off for this repository; the scheduled audit did not start");
      return;
    }

    const { data: repository } = await github.rest.repos.get({ owner, repo });
    const { data: branch } = await github.rest.repos.getBranch({ owner, repo, branch: repository.default_branch });
    const base = { ref: repository.default_branch, sha: branch.commit.sha, trustedRef: branch.commit.sha };
    const workflow = await findAuditWorkflow(github, { owner, repo }, base, audit);
    const run = await recordAuditRun(runtime, { id: scheduledRunId(firing), installationId, owner, repo, audit, config: loaded.config, base, workflow, trigger: null });
    if (run === null) {
      log.info({ runId: scheduledRunId(firing) }, "this occurrence's run exists already; not started again");
      return;
    }
    log.info({ runId: run.id, workflow: workflow.filename, batch: audit.batch === true, base: base.sha }, "scheduled audit recorded");
    await queueNewRun(run, runtime, log);
  };
}

/**
 * dynflow as a Probot app: wires GitHub events to the use-case handlers and
 * serves `/healthz`. Nothing here decides anything; the handlers do.
 */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createAppRuntime } from "./app/services/create-app-runtime.js";
import type { AuditScheduling } from "./app/audits/audit-scheduling.js";
import { handleComment as defaultHandleComment, type CommentContext, type HandleCommentDeps } from "./app/commands/handle-comment.js";
import { onInstalled, onPush, onRepositoriesAdded, onRepositoriesRemoved, onUninstalled } from "./app/audits/handle-schedule-events.js";
import { createRunJobProcessor } from "./app/steps/process-run-job.js";
import { onCiCompleted } from "./app/ci/handle-check-events.js";
import { onPullRequestClosed } from "./app/closed/handle-pull-request-closed.js";
import { startCiSweep } from "./app/ci/sweep-ci-waits.js";
import { checked } from "./app/webhook-payload.js";
import { recoverRuns } from "./app/steps/recover-runs.js";
import type { ScheduleSyncDeps } from "./app/audits/sync-repo-schedules.js";
import type { AppRuntime, RunServices } from "./app/services/types.js";
import { createAppSlugResolver } from "./github/get-app-slug.js";
import { toGitHubClient } from "./github/github-client.js";
import { createHealthHandler, type HealthCheck } from "./http/create-health-handler.js";
import { serviceHealth } from "./app/services/service-health.js";
import { createDashboardHandler, type DashboardOptions } from "./dashboard/create-dashboard-handler.js";
import { startPruning } from "./store/index.js";

/**
 * Dependencies of the app. Probot's server passes `cwd` and `addHandler`
 * when it loads the app; `src/server.ts` adds the rest.
 */
export interface AppOptions {
  /** The App's slug for `@<slug>` commands; looked up from GitHub when omitted. */
  appSlug?: string | undefined;
  /**
   * The services runs need (store, queue, model, clock, ids), built once by
   * `src/server.ts` (`createRunServices`). Without them only `help` and
   * malformed commands are answered.
   */
  deps?: RunServices;
  /** Replaces the comment handler (tests, alternative front ends). */
  handleComment?: (context: CommentContext, deps: HandleCommentDeps) => Promise<void>;
  /** Extra health facts for `/healthz`; throwing marks the process unhealthy. With `deps`, the store and Redis are checked too. */
  health?: HealthCheck;
  /**
   * Fires scheduled audits once the app's runtime exists (`createAuditScheduling`,
   * built by `src/server.ts`; stop it on shutdown). Without it schedules are
   * still kept in step with the config, but nothing fires them.
   */
  audits?: AuditScheduling;
  /**
   * How the dashboard at `/dashboard/` signs people in (`github`), or `off`
   * (it then says how to turn it on). Unset: off. Served only with `deps`.
   */
  dashboard?: DashboardOptions["mode"];
  /** Set by Probot's server: registers an HTTP handler. */
  addHandler?: ApplicationFunctionOptions["addHandler"];
  cwd?: string;
}

/** The Probot application function. */
export default function dynflowApp(app: Probot, options: AppOptions = {}): void {
  const handleComment = options.handleComment ?? defaultHandleComment;
  const appSlug = options.appSlug ? async () => options.appSlug : createAppSlugResolver(app, app.log);
  const runs = options.deps ? startRuns(app, options.deps, appSlug) : undefined;

  // Only `created`: an edited comment must neither start a run nor repeat one.
  app.on("issue_comment.created", async (context) => {
    const slug = await appSlug();
    await handleComment(context, runs ? { appSlug: slug, runs } : { appSlug: slug });
  });

  // Audit schedules follow the config of every repository the app is installed on.
  if (runs) {
    const schedules: ScheduleSyncDeps = { store: runs.store, prices: runs.prices, clock: runs.clock, log: runs.log, onChange: async () => options.audits?.changed() };
    // Each payload is checked for the parts its handler reads first (400 otherwise, see webhook-payload.ts).
    app.on(["installation.created", "installation.unsuspend"], checked("installation.created", (context) => onInstalled(context, schedules)));
    app.on(["installation.deleted", "installation.suspend"], checked("installation.deleted", (context) => onUninstalled(context, schedules)));
    app.on("installation_repositories.added", checked("installation_repositories.added", (context) => onRepositoriesAdded(context, schedules)));
    app.on("installation_repositories.removed", checked("installation_repositories.removed", (context) => onRepositoriesRemoved(context, schedules)));
    app.on("push", checked("push", (context) => onPush(context, schedules)));
    options.audits?.start(runs);
    // CI finished something on a commit: a consolidated branch waiting for it moves on.
    const ci = { store: runs.store, queue: runs.queue, log: runs.log };
    app.on(["check_suite.completed", "check_run.completed", "workflow_run.completed", "status"], checked("ci", (context) => onCiCompleted(context.payload, ci)));
    // A run's pull request closed (merged or not): its CI wait ends and its worker branches go.
    app.on("pull_request.closed", checked("pull_request.closed", (context) => onPullRequestClosed(context.payload, ci)));
  }

  serveHealth(app, options);
  if (options.deps) serveDashboard(app, options, options.deps);
}

function serveDashboard(app: Probot, options: AppOptions, deps: RunServices): void {
  if (!options.addHandler) return;
  try {
    options.addHandler(createDashboardHandler({ store: deps.store, mode: options.dashboard ?? { kind: "off" }, clock: deps.clock, log: deps.log.child({ component: "dashboard" }) }));
  } catch (error) {
    app.log.debug({ err: error }, "no HTTP server: the dashboard is not served");
  }
}

/** Adds what only the app can give (installation clients, the slug) and starts taking queued run steps. */
function startRuns(app: Probot, services: RunServices, appSlug: () => Promise<string | undefined>): AppRuntime {
  const runtime = createAppRuntime(services, { auth: async (installationId) => toGitHubClient(await app.auth(installationId)), appSlug });
  // With the shared run queue, the web process only enqueues: `dynflow worker`s take the steps.
  services.queue.start(createRunJobProcessor(runtime));
  const { store, clock, log } = services;
  if (services.transcriptRetentionMs !== undefined) {
    startPruning({ what: "transcript entries", prune: (before) => store.transcripts.prune(before), retentionMs: services.transcriptRetentionMs, clock, log });
  }
  if (services.changeRetentionMs !== undefined) {
    startPruning({ what: "kept worker changes", prune: (before) => store.changeObjects.prune(before), retentionMs: services.changeRetentionMs, clock, log });
  }
  // Runs a restart interrupted go on; the journal makes their finished agents free.
  // A Redis restart without persistence loses the steps that waited there; recovery is idempotent and
  // leaves runs a live step holds, so it is run again whenever the shared run queue's Redis is back.
  // One at a time: a reconnect during a recovery (Redis flapping) runs one more once it ends.
  let recovering: Promise<void> | null = null;
  let again = false;
  const recover = (why: string) => {
    if (recovering !== null) {
      again = true;
      return;
    }
    recovering = recoverRuns(runtime)
      .then(() => undefined)
      .catch((error: unknown) => services.log.error({ err: error, why }, "could not queue unfinished runs again"))
      .finally(() => {
        recovering = null;
        if (!again) return;
        again = false;
        recover("redis back again");
      });
  };
  recover("start");
  services.queue.onReconnect?.(() => recover("redis back"));
  // CI waits: looked at again now (webhooks missed while down), then at their deadlines.
  startCiSweep({ store: services.store, queue: services.queue, clock: services.clock, log: services.log, ...(services.ciSweepMs !== undefined ? { intervalMs: services.ciSweepMs } : {}), ...(services.timers ? { timers: services.timers } : {}) });
  return runtime;
}

function serveHealth(app: Probot, options: AppOptions): void {
  if (!options.addHandler) return;
  try {
    options.addHandler(createHealthHandler(options.health, options.deps ? serviceHealth(options.deps) : {}));
  } catch (error) {
    // `probot.load()` without a server hands out an addHandler that throws; there is no HTTP to serve then.
    app.log.debug({ err: error }, "no HTTP server: /healthz is not served");
  }
}

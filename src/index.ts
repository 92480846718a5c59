/**
 * dynflow as a Probot app: wires GitHub events to the use-case handlers and
 * serves `/healthz`. Nothing here decides anything; the handlers do.
 */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { handleComment as defaultHandleComment, type CommentContext, type HandleCommentDeps } from "./app/handle-comment.js";
import { createAppSlugResolver } from "./github/get-app-slug.js";
import { createHealthHandler, type HealthCheck } from "./http/create-health-handler.js";

/**
 * Dependencies of the app. Probot's server passes `cwd` and `addHandler`
 * when it loads the app; `src/server.ts` adds the rest.
 */
export interface AppOptions {
  /** The App's slug for `@<slug>` commands; looked up from GitHub when omitted. */
  appSlug?: string | undefined;
  /** Everything the comment handler needs besides the slug. */
  deps?: Omit<HandleCommentDeps, "appSlug">;
  /** Replaces the comment handler (tests, alternative front ends). */
  handleComment?: (context: CommentContext, deps: HandleCommentDeps) => Promise<void>;
  /** Extra health facts for `/healthz`; throwing marks the process unhealthy. */
  health?: HealthCheck;
  /** Set by Probot's server: registers an HTTP handler. */
  addHandler?: ApplicationFunctionOptions["addHandler"];
  cwd?: string;
}

/** The Probot application function. */
export default function dynflowApp(app: Probot, options: AppOptions = {}): void {
  const handleComment = options.handleComment ?? defaultHandleComment;
  const appSlug = options.appSlug ? async () => options.appSlug : createAppSlugResolver(app, app.log);

  // Only `created`: an edited comment must neither start a run nor repeat one.
  app.on("issue_comment.created", async (context) => {
    await handleComment(context, { ...options.deps, appSlug: await appSlug() });
  });

  serveHealth(app, options);
}

function serveHealth(app: Probot, options: AppOptions): void {
  if (!options.addHandler) return;
  try {
    options.addHandler(createHealthHandler(options.health));
  } catch (error) {
    // `probot.load()` without a server hands out an addHandler that throws; there is no HTTP to serve then.
    app.log.debug({ err: error }, "no HTTP server: /healthz is not served");
  }
}

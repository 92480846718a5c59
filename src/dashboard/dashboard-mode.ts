/**
 * The dashboard's mode from the configuration: on with GitHub sign-in when
 * the App's OAuth credentials and the public URL are set, off otherwise.
 */
import type { AppConfig } from "../config/load-env.js";
import { createAccessChecker } from "./auth/github-access.js";
import type { DashboardOptions } from "./create-dashboard-handler.js";
import { BASE } from "./render/render-pages.js";

export function dashboardModeOf(config: AppConfig): DashboardOptions["mode"] {
  if (config.oauth === null || config.publicUrl === null) {
    const missing = [...(config.oauth === null ? ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] : []), ...(config.publicUrl === null ? ["DYNFLOW_PUBLIC_URL"] : [])];
    return { kind: "off", missing };
  }
  return {
    kind: "github",
    signIn: {
      clientId: config.oauth.clientId,
      clientSecret: config.oauth.clientSecret.reveal(),
      publicUrl: config.publicUrl,
      apiUrl: config.githubApiUrl,
      access: createAccessChecker({ apiUrl: config.githubApiUrl }),
      ...(config.sessionSecret ? { sessionSecret: config.sessionSecret.reveal() } : {}),
    },
  };
}

/** The address of a run's page. */
export function dashboardRunUrl(publicUrl: string, runId: string): string {
  return `${publicUrl}${BASE}/runs/${encodeURIComponent(runId)}`;
}

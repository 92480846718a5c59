/**
 * Grants Anthropic's web tools to a run's agents within the run's caps. The
 * caps are hard: before an agent starts it is granted at most
 * `maxUsesPerAgent` searches and fetches out of what the run has left, its
 * requests never allow more than the rest of its grant, and what it did not
 * use goes back to the run when it finishes. An agent that fails gives nothing
 * back (how much it used is not known), so a cap is never exceeded.
 *
 * It wraps the run's runner on the host, so the grant travels with the agent
 * request to wherever the agent runs (this process or a queue worker).
 */
import type { AgentRequest, AgentResult, AgentRunner, JsonValue, WebToolsGrant } from "../runtime/types.js";
import { webToolsEnabled, type WebToolsConfig } from "./web-tools-config.js";

/** What is left of a run's web uses (read by tests and reports). */
export interface WebToolsPool {
  searchesLeft(): number;
  fetchesLeft(): number;
}

/** `runner` with web tools granted per `config`; `runner` itself when no web tool is on. */
export function withWebTools(runner: AgentRunner, config: WebToolsConfig | undefined): AgentRunner & { pool: WebToolsPool } {
  let searches = config?.maxSearches ?? 0;
  let fetches = config?.maxFetches ?? 0;
  const pool: WebToolsPool = { searchesLeft: () => searches, fetchesLeft: () => fetches };
  if (config === undefined || !webToolsEnabled(config)) return { run: (request) => runner.run(request), pool };

  return {
    pool,
    async run(request: AgentRequest): Promise<AgentResult> {
      // A resolver merges files; it has no use for the web.
      if ((request.options.role ?? "worker") === "resolver") return runner.run(request);
      const grant: WebToolsGrant = {
        search: config.search ? Math.min(config.maxUsesPerAgent, searches) : 0,
        fetch: config.fetch ? Math.min(config.maxUsesPerAgent, fetches) : 0,
        ...(config.allowedDomains.length > 0 ? { allowedDomains: config.allowedDomains } : {}),
        ...(config.blockedDomains.length > 0 ? { blockedDomains: config.blockedDomains } : {}),
        maxContentTokens: config.maxContentTokens,
      };
      if (grant.search === 0 && grant.fetch === 0) return runner.run(request);
      searches -= grant.search;
      fetches -= grant.fetch;
      const result = await runner.run({ ...request, options: { ...request.options, web: grant } });
      searches += Math.max(0, grant.search - countOf(result.meta?.webSearches));
      fetches += Math.max(0, grant.fetch - countOf(result.meta?.webFetches));
      return result;
    },
  };
}

function countOf(value: JsonValue | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

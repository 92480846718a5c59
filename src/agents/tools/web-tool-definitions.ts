/**
 * Anthropic's server-side web tools as an agent's request declares them. The
 * API runs them (dynflow's host makes no network call for an agent); dynflow
 * decides whether an agent gets them, on which domains, and how many uses are
 * left, so the run's cap holds across every request of every agent.
 */
import type { ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import type { ServerToolUse } from "../model/models.js";
import type { WebToolsGrant } from "../../runtime/types.js";

/**
 * Tool versions, read on 2026-11-24 from Anthropic's tool reference and the
 * web search and web fetch pages (the newest of each). Both are declared with
 * `allowed_callers: ["direct"]`: the model calls them itself, without the code
 * execution tool's result filtering, so every use is visible in the response
 * and counted.
 */
export const WEB_SEARCH_TOOL = "web_search_20260318";
export const WEB_FETCH_TOOL = "web_fetch_20260318";

/** The names the model calls them by (also what agent types' `WebSearch` / `WebFetch` map to). */
export const WEB_TOOL_NAMES = ["web_search", "web_fetch"] as const;

/** The web tool definitions for one request, given what the agent has used so far; none once its grant is used up. */
export function webToolDefinitions(grant: WebToolsGrant | undefined, used: ServerToolUse): ToolUnion[] {
  if (grant === undefined) return [];
  const domains = {
    ...(grant.allowedDomains && grant.allowedDomains.length > 0 ? { allowed_domains: grant.allowedDomains } : {}),
    ...(grant.blockedDomains && grant.blockedDomains.length > 0 ? { blocked_domains: grant.blockedDomains } : {}),
  };
  const tools: ToolUnion[] = [];
  const searches = grant.search - used.webSearch;
  if (searches > 0) tools.push({ type: WEB_SEARCH_TOOL, name: "web_search", max_uses: searches, allowed_callers: ["direct"], ...domains });
  const fetches = grant.fetch - used.webFetch;
  if (fetches > 0) {
    tools.push({
      type: WEB_FETCH_TOOL,
      name: "web_fetch",
      max_uses: fetches,
      allowed_callers: ["direct"],
      ...domains,
      ...(grant.maxContentTokens === undefined ? {} : { max_content_tokens: grant.maxContentTokens }),
    });
  }
  return tools;
}

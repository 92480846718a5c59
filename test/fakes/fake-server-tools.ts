/**
 * Anthropic's server-side web tools as the fake Messages API answers them:
 * a scripted reply may say the model searched or fetched before answering,
 * and the fake turns that into `server_tool_use` and result blocks and counts
 * the uses in `usage.server_tool_use`, honouring what the request declared:
 * a tool it did not declare is a 400 (the real model could not have used it),
 * uses beyond `max_uses` come back as `max_uses_exceeded` errors (not billed),
 * and `allowed_domains` / `blocked_domains` filter results and refuse fetches
 * (`url_not_allowed`, not billed).
 */

/** One use of a server tool in a scripted reply. */
export type FakeServerToolUse =
  | { tool: "web_search"; query: string; results: { url: string; title: string }[] }
  | { tool: "web_fetch"; url: string; text: string; title?: string };

/** What the declared tools let happen: the content blocks and the billed counts. */
export interface ServerToolOutcome {
  blocks: unknown[];
  usage: { web_search_requests: number; web_fetch_requests: number };
}

interface Declared {
  type: string;
  name: string;
  max_uses?: number;
  allowed_domains?: string[];
  blocked_domains?: string[];
}

/** Blocks and counts for `uses` under the request's tool declarations; throws `UndeclaredToolError` for a tool the request did not declare. */
export function serveServerTools(uses: readonly FakeServerToolUse[], requestTools: unknown, index: number): ServerToolOutcome {
  const declared = (Array.isArray(requestTools) ? requestTools : []) as Declared[];
  const blocks: unknown[] = [];
  const usage = { web_search_requests: 0, web_fetch_requests: 0 };
  uses.forEach((use, k) => {
    const tool = declared.find((t) => t.name === use.tool && typeof t.type === "string" && t.type.startsWith(`${use.tool}_`));
    if (tool === undefined) throw new UndeclaredToolError(use.tool);
    const id = `srvtoolu_fake_${index}_${k}`;
    const caller = { type: "direct" };
    const count = use.tool === "web_search" ? usage.web_search_requests : usage.web_fetch_requests;
    const overLimit = tool.max_uses !== undefined && count >= tool.max_uses;
    if (use.tool === "web_search") {
      blocks.push({ type: "server_tool_use", id, name: "web_search", input: { query: use.query }, caller });
      if (overLimit) {
        blocks.push({ type: "web_search_tool_result", tool_use_id: id, caller, content: { type: "web_search_tool_result_error", error_code: "max_uses_exceeded" } });
        return;
      }
      usage.web_search_requests += 1;
      const results = use.results.filter((r) => allowed(r.url, tool));
      blocks.push({
        type: "web_search_tool_result",
        tool_use_id: id,
        caller,
        content: results.map((r) => ({ type: "web_search_result", url: r.url, title: r.title, encrypted_content: `fake-encrypted-${r.url}`, page_age: null })),
      });
      return;
    }
    blocks.push({ type: "server_tool_use", id, name: "web_fetch", input: { url: use.url }, caller });
    const error = overLimit ? "max_uses_exceeded" : allowed(use.url, tool) ? null : "url_not_allowed";
    if (error !== null) {
      blocks.push({ type: "web_fetch_tool_result", tool_use_id: id, caller, content: { type: "web_fetch_tool_result_error", error_code: error } });
      return;
    }
    usage.web_fetch_requests += 1;
    blocks.push({
      type: "web_fetch_tool_result",
      tool_use_id: id,
      caller,
      content: {
        type: "web_fetch_result",
        url: use.url,
        retrieved_at: "2026-11-24T00:00:00Z",
        content: { type: "document", source: { type: "text", media_type: "text/plain", data: use.text }, title: use.title ?? null, citations: null },
      },
    });
  });
  return { blocks, usage };
}

/** A scripted reply used a server tool the request did not declare. */
export class UndeclaredToolError extends Error {
  constructor(readonly tool: string) {
    super(`the reply uses ${tool}, which the request did not declare in tools`);
  }
}

/** Whether `url` passes the tool's domain lists (a domain covers its subdomains; a path narrows it). */
function allowed(url: string, tool: Declared): boolean {
  const matches = (domain: string) => {
    const parsed = new URL(url);
    const [host, ...path] = domain.toLowerCase().split("/");
    const hostOk = parsed.hostname === host || parsed.hostname.endsWith(`.${host}`);
    return hostOk && (path.length === 0 || parsed.pathname.startsWith(`/${path.join("/")}`));
  };
  if (tool.allowed_domains && tool.allowed_domains.length > 0 && !tool.allowed_domains.some(matches)) return false;
  return !(tool.blocked_domains ?? []).some(matches);
}

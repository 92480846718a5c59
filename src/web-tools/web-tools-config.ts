/**
 * The repository's switch for Anthropic's server-side web tools
 * (`web:` in `.github/dynflow.yml`): off unless turned on, which domains, and
 * how many uses a run and one agent may make.
 */
import { z } from "zod";

/** The validated `web:` settings. */
export interface WebToolsConfig {
  /** Offer Anthropic's web search tool to agents. */
  search: boolean;
  /** Offer Anthropic's web fetch tool to agents. */
  fetch: boolean;
  /** Only these domains (subdomains included; a path narrows further, e.g. `example.com/blog`). */
  allowedDomains: string[];
  /** Never these domains. */
  blockedDomains: string[];
  /** Searches per run, all agents together. */
  maxSearches: number;
  /** Fetches per run, all agents together. */
  maxFetches: number;
  /** Searches, and fetches, one agent may make. */
  maxUsesPerAgent: number;
  /** Largest fetched page that enters an agent's context, in tokens. */
  maxContentTokens: number;
}

export const DEFAULT_WEB_TOOLS: Readonly<WebToolsConfig> = Object.freeze({
  search: false,
  fetch: false,
  allowedDomains: [],
  blockedDomains: [],
  maxSearches: 100,
  maxFetches: 100,
  maxUsesPerAgent: 10,
  maxContentTokens: 25_000,
});

/** Whether any web tool is on. */
export function webToolsEnabled(config: Partial<WebToolsConfig> | undefined): boolean {
  return config?.search === true || config?.fetch === true;
}

const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};

/** A domain as the API takes it: `example.com` or `example.com/docs`, no scheme. */
const domain = z
  .string({ error: "must be a domain such as example.com" })
  .refine((value) => !value.includes("://"), { error: "must be a domain without a scheme: example.com, not https://example.com" })
  .refine((value) => /^[A-Za-z0-9*](?:[A-Za-z0-9.*-]*)\.[A-Za-z0-9-]+(?:\/\S*)?$/.test(value), {
    error: "must be a domain such as example.com or docs.example.com/api",
  });

const domains = z.array(domain, { error: "must be a list of domains" });

/** The `web:` block's schema. */
export const webToolsSchema = z
  .strictObject({
    search: z.boolean({ error: "must be true or false" }).default(false),
    fetch: z.boolean({ error: "must be true or false" }).default(false),
    allowedDomains: domains.default([]),
    blockedDomains: domains.default([]),
    maxSearches: wholeNumber(0, 100_000).default(DEFAULT_WEB_TOOLS.maxSearches),
    maxFetches: wholeNumber(0, 100_000).default(DEFAULT_WEB_TOOLS.maxFetches),
    maxUsesPerAgent: wholeNumber(1, 1000).default(DEFAULT_WEB_TOOLS.maxUsesPerAgent),
    maxContentTokens: wholeNumber(1000, 1_000_000).default(DEFAULT_WEB_TOOLS.maxContentTokens),
  })
  .superRefine((web, ctx) => {
    // The API takes one list or the other per tool, never both.
    if (web.allowedDomains.length > 0 && web.blockedDomains.length > 0) {
      ctx.addIssue({ code: "custom", path: ["blockedDomains"], message: "give allowedDomains or blockedDomains, not both" });
    }
  });

/** Keys of the `web:` block, for suggestions on misspelt keys. */
export const WEB_TOOLS_KEYS: readonly string[] = Object.keys(DEFAULT_WEB_TOOLS);

/**
 * The Anthropic SDK client both model clients (direct and batched) sit on:
 * configured explicitly so it never falls back to environment variables, with
 * its own warnings routed to our logger and the API key scrubbed from them.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "pino";
import { scrub } from "./to-model-api-error.js";

export interface SdkOptions {
  apiKey: string;
  baseURL?: string;
  maxRetries?: number;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

/** Creates the SDK client; `maxRetries` defaults to 4 (the SDK honours `retry-after`). */
export function createSdk(options: SdkOptions, log: Logger): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? "https://api.anthropic.com",
    webhookKey: null,
    // No spans: dynflow registers no OpenTelemetry provider, and the SDK would otherwise start a
    // span per call (and read ANTHROPIC_OPEN_TELEMETRY* from the environment) for nothing.
    openTelemetry: false,
    maxRetries: options.maxRetries ?? 4,
    timeout: options.timeoutMs,
    fetch: options.fetch,
    logLevel: "warn",
    logger: sdkLogger(log, options.apiKey),
  });
}

/** Routes the SDK's own warnings to our logger, with the key scrubbed. */
function sdkLogger(log: Logger, apiKey: string) {
  const text = (args: unknown[]) => scrub(args.map((a) => (typeof a === "string" ? a : String(a))).join(" "), apiKey);
  return {
    error: (...args: unknown[]) => log.error({ source: "anthropic-sdk" }, text(args)),
    warn: (...args: unknown[]) => log.warn({ source: "anthropic-sdk" }, text(args)),
    info: (...args: unknown[]) => log.info({ source: "anthropic-sdk" }, text(args)),
    debug: (...args: unknown[]) => log.debug({ source: "anthropic-sdk" }, text(args)),
  };
}

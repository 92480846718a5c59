/**
 * The app's environment, parsed once at startup into a typed `AppConfig`.
 * Every problem is collected and reported together, each naming its
 * variable; values of secret variables are never echoed.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_PRICES, type PriceTable } from "../agents/model/index.js";
import { DynflowError } from "../errors.js";
import { toConfigErrors } from "./config-errors.js";
import { ENV_VARIABLES } from "./env-variables.js";
import { priceTableSchema } from "./price-schema.js";
import { readPrivateKey } from "./read-private-key.js";
import { redactUrl, Secret } from "./secret.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** App-wide settings. Secrets are `Secret`s: call `reveal()` where the value is used. */
export interface AppConfig {
  /** Null until the app is registered (Probot then runs its setup flow). */
  appId: number | null;
  privateKey: Secret | null;
  webhookSecret: Secret | null;
  gheHost: string | null;
  gheProtocol: "https" | "http";
  /** REST API root: `https://api.github.com` or `<protocol>://<GHE_HOST>/api/v3`. */
  githubApiUrl: string;
  githubOrg: string | null;
  appSlug: string | null;
  host: string;
  port: number;
  webhookPath: string;
  webhookProxyUrl: string | null;
  logLevel: LogLevel;
  production: boolean;
  anthropicApiKey: Secret | null;
  anthropicBaseUrl: string | null;
  /** Absolute. */
  dataDir: string;
  databaseUrl: Secret | null;
  redisUrl: Secret | null;
  /** Ceilings for the whole deployment; repository caps are clamped to them. */
  caps: { maxConcurrency: number; maxAgents: number; maxConcurrentRuns: number; maxConcurrencyPerInstallation: number };
  /** Built-in prices with `DYNFLOW_PRICES` merged over them. */
  prices: PriceTable;
  /** The App's OAuth credentials (from its settings page, or saved by the setup flow): the dashboard's sign-in. Null: the dashboard is off. */
  oauth: { clientId: string; clientSecret: Secret } | null;
  /** Where people reach this deployment (links, the sign-in callback), without a trailing slash; null when unset. */
  publicUrl: string | null;
  /** Key of the dashboard's session cookies; null derives one from the OAuth client secret. */
  sessionSecret: Secret | null;
  /** Bounds and retention of agent transcripts. */
  transcripts: { agentBytes: number; runBytes: number; retentionMs: number };
  /** How long worker changes kept for a run that never pushed them stay (`DYNFLOW_CHANGE_RETENTION_DAYS`). */
  changeRetentionMs: number;
  /** How often CI waits past their deadline are looked for (`DYNFLOW_CI_SWEEP_SECONDS`). */
  ciSweepMs: number;
}

/** One invalid variable. */
export interface EnvProblem {
  variable: string;
  message: string;
}

/** The environment cannot be used; `problems` lists every variable at fault. */
export class EnvConfigError extends DynflowError {
  readonly problems: EnvProblem[];

  constructor(problems: EnvProblem[]) {
    const list = problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join("\n");
    super("env_invalid", `dynflow cannot start: fix these environment variables (see .env.example):\n${list}`);
    this.problems = problems;
  }
}

export interface LoadEnvOptions {
  /** Base of a relative `DYNFLOW_DATA_DIR` and `PRIVATE_KEY_PATH`. */
  cwd?: string;
  readFile?: (path: string) => string;
}

const SECRET_NAMES = new Set(ENV_VARIABLES.filter((variable) => variable.secret).map((variable) => variable.name));

const integer = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d{1,16}$/, { error }).transform(Number).pipe(z.int().min(min, { error }).max(max, { error }));
};
const url = (protocols: string[], example: string) =>
  z.string().refine((text) => URL.canParse(text) && protocols.includes(new URL(text).protocol), {
    error: `must be a ${protocols.map((protocol) => protocol.replace(":", "://")).join(" or ")} URL, e.g. ${example}`,
  });

const SCHEMAS = {
  APP_ID: integer(1, Number.MAX_SAFE_INTEGER),
  GHE_HOST: z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: "must be a host name only, e.g. github.example.com (no https://, no path)" }),
  GHE_PROTOCOL: z.enum(["https", "http"], { error: "must be https or http" }),
  GH_ORG: z.string().regex(/^[A-Za-z0-9-]{1,39}$/, { error: "must be an organization login" }),
  DYNFLOW_APP_SLUG: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, { error: "must be the App's slug as in its URL, e.g. dynflow-app" }),
  HOST: z.string().regex(/^[^\s/]+$/, { error: "must be an address such as 0.0.0.0 or localhost" }),
  PORT: integer(1, 65_535),
  WEBHOOK_PATH: z.string().regex(/^\/\S*$/, { error: "must be a path starting with /" }),
  WEBHOOK_PROXY_URL: url(["https:", "http:"], "https://smee.io/abc123"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    error: "must be one of fatal, error, warn, info, debug, trace, silent",
  }),
  ANTHROPIC_API_KEY: z.string().min(1),
  ANTHROPIC_BASE_URL: url(["https:", "http:"], "https://llm-gateway.example.com"),
  DYNFLOW_DATA_DIR: z.string().min(1),
  DATABASE_URL: url(["postgres:", "postgresql:"], "postgres://dynflow@db:5432/dynflow"),
  REDIS_URL: url(["redis:", "rediss:"], "redis://redis:6379"),
  DYNFLOW_MAX_CONCURRENCY: integer(1, 4096),
  DYNFLOW_MAX_AGENTS: integer(1, 100_000),
  DYNFLOW_MAX_CONCURRENT_RUNS: integer(1, 1024),
  DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION: integer(1, 4096),
  GITHUB_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "must be the App's client ID, e.g. Iv23liAbCdEf012345" }),
  DYNFLOW_PUBLIC_URL: url(["https:", "http:"], "https://dynflow.example.com"),
  DYNFLOW_TRANSCRIPT_AGENT_KB: integer(4, 65_536),
  DYNFLOW_TRANSCRIPT_RUN_MB: integer(1, 65_536),
  DYNFLOW_TRANSCRIPT_RETENTION_DAYS: integer(1, 3650),
  DYNFLOW_CHANGE_RETENTION_DAYS: integer(1, 3650),
  DYNFLOW_CI_SWEEP_SECONDS: integer(1, 3600),
} as const;

/**
 * Parses `env` (pass `process.env` once, at startup). Throws `EnvConfigError`
 * listing every problem. Empty values count as unset.
 */
export function loadEnv(env: Readonly<Record<string, string | undefined>>, options: LoadEnvOptions = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const problems: EnvProblem[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const read = <K extends keyof typeof SCHEMAS>(name: K): z.output<(typeof SCHEMAS)[K]> | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    const parsed = SCHEMAS[name].safeParse(value);
    if (parsed.success) return parsed.data as z.output<(typeof SCHEMAS)[K]>;
    const shown = SECRET_NAMES.has(name) ? "" : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value)})`;
    problems.push({ variable: name, message: `${parsed.error.issues[0]?.message ?? "is invalid"}${shown}` });
    return undefined;
  };
  const problem = (variable: string, message: string) => problems.push({ variable, message });

  const appId = read("APP_ID") ?? null;
  const privateKey = readPrivateKey(raw("PRIVATE_KEY"), raw("PRIVATE_KEY_PATH"), (path) => readFile(resolve(cwd, path)), problem);
  const webhookSecret = raw("WEBHOOK_SECRET");
  const anthropicApiKey = read("ANTHROPIC_API_KEY");
  const production = raw("NODE_ENV") === "production";
  const gheHost = read("GHE_HOST") ?? null;
  const gheProtocol = read("GHE_PROTOCOL") ?? "https";

  const hasKey = raw("PRIVATE_KEY") !== undefined || raw("PRIVATE_KEY_PATH") !== undefined;
  if (raw("APP_ID") !== undefined && !hasKey) problem("PRIVATE_KEY", "is required with APP_ID (or set PRIVATE_KEY_PATH)");
  if (raw("APP_ID") === undefined && hasKey) problem("APP_ID", "is required with a private key");
  if (raw("APP_ID") !== undefined && webhookSecret === undefined) {
    problem("WEBHOOK_SECRET", "is required with APP_ID: without it anyone could send the app webhooks");
  }
  if (production) {
    if (raw("APP_ID") === undefined) problem("APP_ID", "is required in production (run without NODE_ENV=production to register the app)");
    if (raw("ANTHROPIC_API_KEY") === undefined) problem("ANTHROPIC_API_KEY", "is required in production");
  }

  const clientId = read("GITHUB_CLIENT_ID");
  const clientSecret = raw("GITHUB_CLIENT_SECRET");
  if (clientId !== undefined && clientSecret === undefined) problem("GITHUB_CLIENT_SECRET", "is required with GITHUB_CLIENT_ID for the dashboard's sign-in");
  if (clientId === undefined && clientSecret !== undefined) problem("GITHUB_CLIENT_ID", "is required with GITHUB_CLIENT_SECRET for the dashboard's sign-in");
  const sessionSecret = raw("DYNFLOW_SESSION_SECRET");
  if (sessionSecret !== undefined && sessionSecret.length < 32) problem("DYNFLOW_SESSION_SECRET", "must be at least 32 characters (e.g. openssl rand -hex 32)");
  const databaseUrl = read("DATABASE_URL");
  const redisUrl = read("REDIS_URL");
  const config: AppConfig = {
    appId,
    privateKey,
    webhookSecret: webhookSecret === undefined ? null : new Secret(webhookSecret),
    gheHost,
    gheProtocol,
    githubApiUrl: gheHost ? `${gheProtocol}://${gheHost}/api/v3` : "https://api.github.com",
    githubOrg: read("GH_ORG") ?? null,
    appSlug: read("DYNFLOW_APP_SLUG") ?? null,
    host: read("HOST") ?? "localhost",
    port: read("PORT") ?? 3000,
    webhookPath: read("WEBHOOK_PATH") ?? "/api/github/webhooks",
    webhookProxyUrl: read("WEBHOOK_PROXY_URL") ?? null,
    logLevel: read("LOG_LEVEL") ?? "info",
    production,
    anthropicApiKey: anthropicApiKey === undefined ? null : new Secret(anthropicApiKey),
    anthropicBaseUrl: read("ANTHROPIC_BASE_URL") ?? null,
    dataDir: resolve(cwd, read("DYNFLOW_DATA_DIR") ?? "./data"),
    databaseUrl: databaseUrl === undefined ? null : new Secret(databaseUrl, redactUrl(databaseUrl)),
    redisUrl: redisUrl === undefined ? null : new Secret(redisUrl, redactUrl(redisUrl)),
    caps: {
      maxConcurrency: read("DYNFLOW_MAX_CONCURRENCY") ?? 32,
      maxAgents: read("DYNFLOW_MAX_AGENTS") ?? 1000,
      maxConcurrentRuns: read("DYNFLOW_MAX_CONCURRENT_RUNS") ?? 4,
      maxConcurrencyPerInstallation: read("DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION") ?? 16,
    },
    prices: { ...DEFAULT_PRICES, ...readPrices(raw("DYNFLOW_PRICES"), problem) },
    oauth: clientId !== undefined && clientSecret !== undefined ? { clientId, clientSecret: new Secret(clientSecret) } : null,
    publicUrl: read("DYNFLOW_PUBLIC_URL")?.replace(/\/+$/, "") ?? null,
    sessionSecret: sessionSecret === undefined ? null : new Secret(sessionSecret),
    transcripts: {
      agentBytes: (read("DYNFLOW_TRANSCRIPT_AGENT_KB") ?? 256) * 1024,
      runBytes: (read("DYNFLOW_TRANSCRIPT_RUN_MB") ?? 64) * 1024 * 1024,
      retentionMs: (read("DYNFLOW_TRANSCRIPT_RETENTION_DAYS") ?? 30) * 86_400_000,
    },
    ciSweepMs: (read("DYNFLOW_CI_SWEEP_SECONDS") ?? 30) * 1000,
    changeRetentionMs: (read("DYNFLOW_CHANGE_RETENTION_DAYS") ?? 30) * 86_400_000,
  };
  if (problems.length > 0) throw new EnvConfigError(problems);
  return config;
}

/** True when the app is registered; false means Probot's setup flow. */
export function hasAppCredentials(config: AppConfig): boolean {
  return config.appId !== null && config.privateKey !== null;
}

/** The config as a plain object for a log line: secrets become placeholders, the price table its model ids. */
export function redactedConfig(config: AppConfig): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify({ ...config, prices: undefined })) as Record<string, unknown>;
  return { ...plain, pricedModels: Object.keys(config.prices) };
}

function readPrices(text: string | undefined, report: (variable: string, message: string) => void): PriceTable {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    report("DYNFLOW_PRICES", 'is not JSON: expected {"<model>": {"input": 3, "output": 15, "cacheWrite": 3.75, "cacheRead": 0.3}}');
    return {};
  }
  const parsed = priceTableSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const error of toConfigErrors(parsed.error.issues)) {
    report("DYNFLOW_PRICES", error.path === "" ? error.message : `${error.path} ${error.message}`);
  }
  return {};
}

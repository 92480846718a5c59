import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "../../src/agents/model/models.js";
import { EnvConfigError, hasAppCredentials, loadEnv, redactedConfig } from "../../src/config/load-env.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const dir = mkdtempSync(join(tmpdir(), "dynflow-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registered = { APP_ID: "12345", PRIVATE_KEY: pem, WEBHOOK_SECRET: "hook-secret", ANTHROPIC_API_KEY: "sk-ant-test-key" };

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadEnv(env, { cwd: dir });
  } catch (error) {
    if (error instanceof EnvConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected EnvConfigError");
}

describe("loadEnv: defaults and values", () => {
  it("starts in setup mode with defaults when nothing is set", () => {
    const config = loadEnv({}, { cwd: dir });
    expect(hasAppCredentials(config)).toBe(false);
    expect(config).toMatchObject({
      appId: null,
      privateKey: null,
      webhookSecret: null,
      githubApiUrl: "https://api.github.com",
      host: "localhost",
      port: 3000,
      webhookPath: "/api/github/webhooks",
      logLevel: "info",
      production: false,
      dataDir: join(dir, "data"),
      databaseUrl: null,
      redisUrl: null,
      caps: { maxConcurrency: 32, maxAgents: 1000, maxConcurrentRuns: 4, maxConcurrencyPerInstallation: 16 },
    });
    expect(config.prices).toEqual(DEFAULT_PRICES);
  });

  it("reads a registered app's variables", () => {
    const config = loadEnv(
      {
        ...registered,
        GHE_HOST: "github.example.com",
        PORT: "8080",
        HOST: "0.0.0.0",
        LOG_LEVEL: "debug",
        DYNFLOW_APP_SLUG: "dynflow-app",
        DYNFLOW_DATA_DIR: "/var/lib/dynflow",
        DATABASE_URL: "postgres://app:pw@db:5432/dynflow",
        REDIS_URL: "redis://redis:6379",
        DYNFLOW_MAX_CONCURRENCY: "64",
        DYNFLOW_MAX_AGENTS: "2000",
        DYNFLOW_MAX_CONCURRENT_RUNS: "2",
        DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION: "8",
        NODE_ENV: "production",
      },
      { cwd: dir },
    );
    expect(hasAppCredentials(config)).toBe(true);
    expect(config.appId).toBe(12345);
    expect(config.privateKey?.reveal()).toBe(pem);
    expect(config.webhookSecret?.reveal()).toBe("hook-secret");
    expect(config.githubApiUrl).toBe("https://github.example.com/api/v3");
    expect(config).toMatchObject({ port: 8080, host: "0.0.0.0", logLevel: "debug", appSlug: "dynflow-app", dataDir: "/var/lib/dynflow", production: true });
    expect(config.databaseUrl?.reveal()).toBe("postgres://app:pw@db:5432/dynflow");
    expect(config.caps).toEqual({ maxConcurrency: 64, maxAgents: 2000, maxConcurrentRuns: 2, maxConcurrencyPerInstallation: 8 });
  });

  it("treats empty values as unset", () => {
    expect(loadEnv({ PORT: "", APP_ID: "  ", LOG_LEVEL: "" }, { cwd: dir })).toMatchObject({ port: 3000, appId: null, logLevel: "info" });
  });

  it("accepts the private key with \\n escapes, base64-encoded, or from a file", () => {
    const escaped = pem.replace(/\n/g, "\\n");
    expect(loadEnv({ ...registered, PRIVATE_KEY: escaped }).privateKey?.reveal()).toBe(pem);
    expect(loadEnv({ ...registered, PRIVATE_KEY: Buffer.from(pem).toString("base64") }).privateKey?.reveal()).toBe(pem);
    writeFileSync(join(dir, "app.pem"), pem);
    const { PRIVATE_KEY: _unused, ...withoutKey } = registered;
    expect(loadEnv({ ...withoutKey, PRIVATE_KEY_PATH: "app.pem" }, { cwd: dir }).privateKey?.reveal()).toBe(pem);
  });

  it("merges DYNFLOW_PRICES over the built-in prices", () => {
    const price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
    const config = loadEnv({ DYNFLOW_PRICES: JSON.stringify({ "acme-coder": price, "claude-opus-5-5": price }) });
    expect(config.prices["acme-coder"]).toEqual(price);
    expect(config.prices["claude-opus-5-5"]).toEqual(price);
    expect(config.prices["claude-sonnet-5-5"]).toEqual(DEFAULT_PRICES["claude-sonnet-5-5"]);
  });
});

describe("loadEnv: errors", () => {
  it("lists every invalid variable by name with what is wrong", () => {
    const problems = problemsOf({
      PORT: "eighty",
      LOG_LEVEL: "loud",
      GHE_HOST: "https://github.example.com",
      DYNFLOW_MAX_CONCURRENCY: "0",
      DYNFLOW_MAX_AGENTS: "1.5",
      REDIS_URL: "localhost:6379",
      ANTHROPIC_BASE_URL: "ftp://x",
      DYNFLOW_APP_SLUG: "Dynflow App",
    });
    expect(problems).toEqual([
      { variable: "GHE_HOST", message: 'must be a host name only, e.g. github.example.com (no https://, no path) (got "https://github.example.com")' },
      { variable: "REDIS_URL", message: "must be a redis:// or rediss:// URL, e.g. redis://redis:6379" },
      { variable: "DYNFLOW_APP_SLUG", message: expect.stringContaining("must be the App's slug") },
      { variable: "PORT", message: 'must be a whole number from 1 to 65535 (got "eighty")' },
      { variable: "LOG_LEVEL", message: expect.stringContaining("must be one of fatal, error") },
      { variable: "ANTHROPIC_BASE_URL", message: expect.stringContaining("must be a https:// or http:// URL") },
      { variable: "DYNFLOW_MAX_CONCURRENCY", message: 'must be a whole number from 1 to 4096 (got "0")' },
      { variable: "DYNFLOW_MAX_AGENTS", message: 'must be a whole number from 1 to 100000 (got "1.5")' },
    ]);
  });

  it("never echoes a secret's value", () => {
    const error = (() => {
      try {
        loadEnv({ ...registered, PRIVATE_KEY: "hunter2-not-a-key", DATABASE_URL: "mysql://root:hunter3@db/x" });
      } catch (caught) {
        return caught as EnvConfigError;
      }
      throw new Error("expected an error");
    })();
    expect(error.code).toBe("env_invalid");
    expect(error.problems.map((problem) => problem.variable)).toEqual(["PRIVATE_KEY", "DATABASE_URL"]);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("hunter3");
    expect(error.message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });

  it("refuses half-configured credentials", () => {
    expect(problemsOf({ APP_ID: "1" })).toEqual([
      { variable: "PRIVATE_KEY", message: expect.stringContaining("is required with APP_ID") },
      { variable: "WEBHOOK_SECRET", message: expect.stringContaining("is required with APP_ID") },
    ]);
    expect(problemsOf({ PRIVATE_KEY: pem })).toEqual([{ variable: "APP_ID", message: "is required with a private key" }]);
    expect(problemsOf({ ...registered, PRIVATE_KEY_PATH: "app.pem" })).toEqual([
      { variable: "PRIVATE_KEY_PATH", message: "set either PRIVATE_KEY or PRIVATE_KEY_PATH, not both" },
    ]);
  });

  it("reports an unreadable or non-PEM key file", () => {
    const { PRIVATE_KEY: _unused, ...withoutKey } = registered;
    expect(problemsOf({ ...withoutKey, PRIVATE_KEY_PATH: "missing.pem" })).toEqual([
      { variable: "PRIVATE_KEY_PATH", message: 'cannot read "missing.pem" (ENOENT)' },
    ]);
    writeFileSync(join(dir, "not-a-key.pem"), "hello");
    expect(problemsOf({ ...withoutKey, PRIVATE_KEY_PATH: "not-a-key.pem" })[0]?.message).toContain("is not a PEM private key");
  });

  it("requires credentials and the model key in production", () => {
    expect(problemsOf({ NODE_ENV: "production" }).map((problem) => problem.variable)).toEqual(["APP_ID", "ANTHROPIC_API_KEY"]);
  });

  it("reports DYNFLOW_PRICES that is not JSON, or not a price table, with the path", () => {
    expect(problemsOf({ DYNFLOW_PRICES: "{oops" })[0]?.message).toMatch(/^is not JSON/);
    expect(problemsOf({ DYNFLOW_PRICES: JSON.stringify({ m: { input: -1, output: 1, cacheWrite: 1, cacheRead: 1 } }) })).toEqual([
      { variable: "DYNFLOW_PRICES", message: "m.input must be 0 or more (US dollars per million tokens) (got -1)" },
    ]);
  });
});

describe("redactedConfig and Secret", () => {
  const config = loadEnv({ ...registered, DATABASE_URL: "postgres://app:pw@db:5432/dynflow?sslmode=require", REDIS_URL: "redis://:pass@redis:6379" });

  it("shows no secret in a log object, JSON, inspect or a template string", () => {
    const shown = [JSON.stringify(redactedConfig(config)), JSON.stringify(config), inspect(config, { depth: 5 }), `${config.privateKey}`];
    for (const text of shown) {
      for (const secret of ["BEGIN PRIVATE KEY", "hook-secret", "sk-ant-test-key", ":pw@", ":pass@"]) expect(text).not.toContain(secret);
    }
  });

  it("keeps what helps debugging: hosts of URLs and non-secret settings", () => {
    const logged = redactedConfig(config);
    expect(logged).toMatchObject({
      appId: 12345,
      privateKey: "[redacted]",
      databaseUrl: "postgres://***@db:5432/dynflow",
      redisUrl: "redis://***@redis:6379",
      port: 3000,
    });
    expect(logged.pricedModels).toContain("claude-opus-5-5");
    expect(logged).not.toHaveProperty("prices");
  });
});

describe("loadEnv, private keys as Probot reads them", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

  it("accepts a key pasted on one line (newlines turned to spaces) and makes it a usable PEM", () => {
    const oneLine = rsa.trim().replace(/\n/g, " ");
    const key = loadEnv({ ...registered, PRIVATE_KEY: oneLine }).privateKey?.reveal() as string;
    expect(() => createPrivateKey(key)).not.toThrow();
    expect(createPrivateKey(key).export({ type: "pkcs1", format: "pem" })).toBe(rsa);
  });
});

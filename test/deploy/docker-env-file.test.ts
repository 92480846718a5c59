/**
 * docs/deploy.md runs the image with `--env-file .env`, and docker-compose.yml
 * uses `env_file: .env`, where `.env` is a copy of `.env.example` with the
 * required values filled in. Docker assigns every `NAME=value` line of such a
 * file, empty or not, over the image's own `ENV`. This checks what the server
 * in the image then sees.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadEnv } from "../../src/config/load-env.js";
import { imageEnv, readRepositoryDocker } from "./read-dockerfile.js";

const root = new URL("../../", import.meta.url);

/** Docker's env-file format: `NAME=value` per line, `#` comments, no quoting, nothing expanded. */
function readEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

/** `.env.example` as a user fills it in: every assigned variable given a value. */
function filledIn(example: string): Record<string, string> {
  const values: Record<string, string> = {
    APP_ID: "123456",
    PRIVATE_KEY_PATH: "/run/secrets/dynflow.pem",
    WEBHOOK_SECRET: "s3cret",
    ANTHROPIC_API_KEY: "sk-ant-test",
  };
  const file = readEnvFile(example);
  return Object.fromEntries(Object.keys(file).map((name) => [name, values[name] ?? file[name] ?? ""]));
}

describe("the image run with --env-file .env (from .env.example)", () => {
  const example = readFileSync(new URL(".env.example", root), "utf8");
  const { stages } = readRepositoryDocker(root);

  it("keeps the image's HOST, NODE_ENV and DYNFLOW_DATA_DIR: the port is reachable and data stays on the volume", () => {
    const image = imageEnv(stages);
    expect(image).toMatchObject({ HOST: "0.0.0.0", NODE_ENV: "production", DYNFLOW_DATA_DIR: "/data" });
    const env = { ...image, ...filledIn(example) };
    const config = loadEnv(env, { cwd: "/app", readFile: () => "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n" });
    expect(config.host).toBe("0.0.0.0");
    expect(config.production).toBe(true);
    expect(config.dataDir).toBe("/data");
    expect(config.port).toBe(Number(image.PORT));
  });

  it("assigns none of the variables the image sets", () => {
    const assigned = Object.keys(readEnvFile(example));
    for (const name of Object.keys(imageEnv(stages))) expect(assigned, name).not.toContain(name);
  });

  it("is what docker-compose.yml loads, and compose sets its storage and queue over it", () => {
    const compose = parse(readFileSync(new URL("docker-compose.yml", root), "utf8")) as { services: Record<string, { env_file?: string }> };
    expect(compose.services.web?.env_file).toBe(".env");
    expect(compose.services.worker?.env_file).toBe(".env");
  });
});

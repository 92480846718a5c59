import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/load-env.js";
import { toProbotEnv } from "../../src/config/to-probot-env.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

describe("toProbotEnv", () => {
  it("hands Probot the validated values, the key unescaped", () => {
    const config = loadEnv({
      APP_ID: "42",
      PRIVATE_KEY: pem.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: "s3cret",
      GHE_HOST: "github.example.com",
      PORT: "8080",
      HOST: "0.0.0.0",
      REDIS_URL: "redis://redis:6379",
    });
    expect(toProbotEnv(config)).toEqual({
      APP_ID: "42",
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: "s3cret",
      GHE_HOST: "github.example.com",
      GHE_PROTOCOL: "https",
      HOST: "0.0.0.0",
      PORT: "8080",
      WEBHOOK_PATH: "/api/github/webhooks",
    });
  });

  it("keeps REDIS_URL from Probot: its Redis-backed write limiter is one for every installation and breaks on a Redis restart", () => {
    const config = loadEnv({ APP_ID: "42", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret", REDIS_URL: "redis://redis:6379" });
    expect(toProbotEnv(config)).not.toHaveProperty("REDIS_URL");
  });

  it("leaves credentials out in setup mode, so Probot starts its setup flow", () => {
    const env = toProbotEnv(loadEnv({}));
    expect(env).not.toHaveProperty("APP_ID");
    expect(env).not.toHaveProperty("PRIVATE_KEY");
    expect(env.PORT).toBe("3000");
  });
});

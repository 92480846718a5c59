import { describe, expect, it } from "vitest";
import { applyDotEnv, keepEnvironment, updateDotEnv } from "../../src/config/apply-dot-env.js";

const file = (text: string) => () => text;

describe("applyDotEnv", () => {
  it("fills in only what the environment leaves unset or empty", () => {
    const env: Record<string, string | undefined> = { GH_ORG: "from-env", PORT: "" };
    const filled = applyDotEnv(env, { readFile: file("GH_ORG=from-file\nPORT=4000\nAPP_ID=7\n") });
    expect(env).toEqual({ GH_ORG: "from-env", PORT: "4000", APP_ID: "7" });
    expect(filled.sort()).toEqual(["APP_ID", "PORT"]);
  });

  it("reads quoted multi-line values as Node's dotenv parser does", () => {
    const env: Record<string, string | undefined> = {};
    applyDotEnv(env, { readFile: file('PRIVATE_KEY="-----BEGIN KEY-----\\nabc\\n-----END KEY-----"\n') });
    expect(env.PRIVATE_KEY).toBe("-----BEGIN KEY-----\nabc\n-----END KEY-----");
  });

  it("does nothing without a file, and rethrows other read errors", () => {
    const missing = () => {
      throw Object.assign(new Error("no file"), { code: "ENOENT" });
    };
    expect(applyDotEnv({}, { readFile: missing })).toEqual([]);
    const denied = () => {
      throw Object.assign(new Error("denied"), { code: "EACCES" });
    };
    expect(() => applyDotEnv({}, { readFile: denied })).toThrow("denied");
  });
});

describe("keepEnvironment", () => {
  it("undoes what the call wrote synchronously, and returns its value", () => {
    const env: Record<string, string | undefined> = { GH_ORG: "from-env" };
    const result = keepEnvironment(() => {
      Object.assign(env, { GH_ORG: "from-file", EXTRA: "x" });
      return 42;
    }, env);
    expect(result).toBe(42);
    expect(env).toEqual({ GH_ORG: "from-env" });
  });
});

describe("updateDotEnv", () => {
  it("replaces or appends the given lines, keeps the others, and sets only the given values", () => {
    let written = "";
    const env: Record<string, string | undefined> = { GH_ORG: "from-env" };
    updateDotEnv(
      { WEBHOOK_PROXY_URL: "https://smee.io/abc", APP_ID: "9" },
      { env, readFile: file("# mine\nGH_ORG=from-file\nAPP_ID=1\n"), writeFile: (_path, text) => void (written = text) },
    );
    expect(written).toBe("# mine\nGH_ORG=from-file\nAPP_ID=9\nWEBHOOK_PROXY_URL=https://smee.io/abc\n");
    expect(env).toEqual({ GH_ORG: "from-env", WEBHOOK_PROXY_URL: "https://smee.io/abc", APP_ID: "9" });
  });
});

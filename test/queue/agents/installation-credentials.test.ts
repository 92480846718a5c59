import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createInstallationCredentials } from "../../../src/queue/agents/installation-credentials.js";
import { API, GHE_API, useNock } from "../../github/octokit.js";
import { runContext } from "./queue-fixture.js";

useNock();

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const NOW = Date.parse("2030-01-01T00:00:00Z");
const clock = { now: () => NOW };
const expiresAt = new Date(NOW + 60 * 60_000).toISOString();

describe("createInstallationCredentials", () => {
  it("gets a contents-write token of the run's installation with the App's credentials", async () => {
    const scope = nock(API)
      .post("/app/installations/42/access_tokens", { permissions: { contents: "write" } })
      .reply(201, { token: "ghs_for_installation_42", expires_at: expiresAt })
      .post("/app/installations/43/access_tokens", { permissions: { contents: "write" } })
      .reply(201, { token: "ghs_for_installation_43", expires_at: expiresAt });
    const credentials = createInstallationCredentials({ appId: 1234, privateKey, baseUrl: API, log: pino({ level: "silent" }), clock });

    expect(await credentials(runContext("r1", 42))).toBe("ghs_for_installation_42");
    expect(await credentials(runContext("r2", 43))).toBe("ghs_for_installation_43");
    // Cached by Octokit while it is valid: no second request.
    expect(await credentials(runContext("r3", 42))).toBe("ghs_for_installation_42");
    expect(scope.isDone()).toBe(true);
  });

  it("asks GitHub Enterprise Server, not github.com, when configured for it", async () => {
    const scope = nock(GHE_API).post("/app/installations/7/access_tokens").reply(201, { token: "ghs_ghe", expires_at: expiresAt });
    const credentials = createInstallationCredentials({ appId: 1234, privateKey, baseUrl: GHE_API, log: pino({ level: "silent" }), clock });

    expect(await credentials(runContext("r", 7))).toBe("ghs_ghe");
    expect(scope.isDone()).toBe(true);
  });

  it("needs no token for a run without an installation", async () => {
    const credentials = createInstallationCredentials({ appId: 1234, privateKey, baseUrl: API, log: pino({ level: "silent" }), clock });
    expect(await credentials(runContext("local", null))).toBeUndefined();
  });
});

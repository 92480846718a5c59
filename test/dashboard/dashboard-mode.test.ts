import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/load-env.js";
import { dashboardModeOf, dashboardRunUrl } from "../../src/dashboard/dashboard-mode.js";

const oauth = { GITHUB_CLIENT_ID: "Iv23liAbCdEf012345", GITHUB_CLIENT_SECRET: "0123456789abcdef0123456789abcdef01234567" };

describe("dashboardModeOf", () => {
  it("is off, naming every missing variable, until the App's OAuth credentials and the public URL are all set", () => {
    expect(dashboardModeOf(loadEnv({}))).toEqual({ kind: "off", missing: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "DYNFLOW_PUBLIC_URL"] });
    expect(dashboardModeOf(loadEnv(oauth))).toEqual({ kind: "off", missing: ["DYNFLOW_PUBLIC_URL"] });
    expect(dashboardModeOf(loadEnv({ DYNFLOW_PUBLIC_URL: "https://dynflow.example.com" }))).toEqual({ kind: "off", missing: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] });
  });

  it("signs in with GitHub on the configured host, the session key from DYNFLOW_SESSION_SECRET when set", () => {
    const mode = dashboardModeOf(loadEnv({ ...oauth, DYNFLOW_PUBLIC_URL: "https://dynflow.example.com/", GHE_HOST: "ghe.example.com" }));
    expect(mode).toMatchObject({
      kind: "github",
      signIn: { clientId: oauth.GITHUB_CLIENT_ID, clientSecret: oauth.GITHUB_CLIENT_SECRET, publicUrl: "https://dynflow.example.com", apiUrl: "https://ghe.example.com/api/v3" },
    });
    expect(mode.kind === "github" && "sessionSecret" in mode.signIn).toBe(false);
    const secret = "s".repeat(40);
    const withKey = dashboardModeOf(loadEnv({ ...oauth, DYNFLOW_PUBLIC_URL: "https://dynflow.example.com", DYNFLOW_SESSION_SECRET: secret }));
    expect(withKey.kind === "github" && withKey.signIn.sessionSecret).toBe(secret);
  });
});

describe("dashboardRunUrl", () => {
  it("links a run's page under the public URL, the id encoded", () => {
    expect(dashboardRunUrl("https://dynflow.example.com", "a1b2c3d4")).toBe("https://dynflow.example.com/dashboard/runs/a1b2c3d4");
    expect(dashboardRunUrl("https://x.example/base", "r/../x?y")).toBe("https://x.example/base/dashboard/runs/r%2F..%2Fx%3Fy");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import { BUNDLED_WORKFLOWS_DIR } from "../../src/workflows/bundled-workflows.js";
import { makeRepo, removeDir, type FixtureRepo } from "../workspace/git-fixture.js";

let repo: FixtureRepo;
beforeAll(async () => {
  repo = await makeRepo({
    "packages/api/package.json": "{}\n",
    "packages/api/src/routes.ts": "export const routes = [];\n",
    "packages/web/package.json": "{}\n",
    "packages/web/src/app.ts": "export const app = 1;\n",
  });
});
afterAll(async () => {
  await removeDir(repo.dir);
});

async function simulate(name: string, args: unknown, ...flags: string[]) {
  const captured = { out: "", err: "" };
  const io: CliIo = {
    stdout: (text) => void (captured.out += text),
    stderr: (text) => void (captured.err += text),
    cwd: BUNDLED_WORKFLOWS_DIR,
    isTty: false,
    env: {},
  };
  const code = await main(["simulate", `${name}.js`, "--json", "--repo", repo.dir, "--args", JSON.stringify(args), ...flags], io);
  return { code, json: JSON.parse(captured.out), err: captured.err };
}

describe("bundled workflows under dynflow simulate", () => {
  it("audit: one finder per module, every finding refuted, a result with findings, unverified, refuted and audited", async () => {
    const { code, json } = await simulate("audit", { problem: "missing auth checks", commit: repo.head }, "--items", "2");
    expect(code).toBe(0);
    expect(json.status).toBe("ok");
    // 2 modules × 1 finder, 2 findings each × 2 refuters.
    expect(json.phases).toEqual([
      { title: "Find", agents: 2 },
      { title: "Refute", agents: 8 },
    ]);
    expect(json.result).toMatchObject({ problem: "missing auth checks", refuted: 0, unverified: [], audited: { modules: ["packages/api", "packages/web"], failed: [], commit: repo.head } });
    expect(json.result.findings).toHaveLength(4);
    expect(json.result.findings.every((f: { verification: string }) => f.verification === "upheld")).toBe(true);
  });

  it("audit with --pessimistic: every finding refuted, nothing reported", async () => {
    const { json } = await simulate("audit", "missing auth checks", "--items", "1", "--pessimistic");
    expect(json.status).toBe("ok");
    expect(json.result).toMatchObject({ findings: [], unverified: [], refuted: 2 });
  });

  it("migrate: targets converge and the summary counts them", async () => {
    const { code, json } = await simulate("migrate", { task: "rename fetchJson to getJson", by: "module" });
    expect(code).toBe(0);
    expect(json.result.targets.map((t: { target: string; status: string }) => [t.target, t.status])).toEqual([
      ["packages/api", "accepted"],
      ["packages/web", "accepted"],
    ]);
    expect(json.result.summary).toMatchObject({ accepted: 2, refuted: 0 });
  });

  it("migrate with discovery and --pessimistic: every target refuted after its rounds", async () => {
    const { json } = await simulate("migrate", "rename fetchJson to getJson", "--items", "2", "--pessimistic");
    expect(json.status).toBe("ok");
    expect(json.result.summary).toMatchObject({ refuted: 2, accepted: 0 });
    expect(json.result.targets.every((t: { rounds: number }) => t.rounds === 3)).toBe(true);
  });

  it("review: one ranked list and a comment body", async () => {
    const { code, json } = await simulate("review", { files: ["packages/api/src/routes.ts", "packages/web/src/app.ts"], base: "main", head: "feature" }, "--items", "1");
    expect(code).toBe(0);
    expect(json.phases.map((p: { agents: number }) => p.agents)).toEqual([0, 2, 4]);
    expect(json.result.findings).toHaveLength(2);
    expect(json.result.reviewed).toEqual({ files: ["packages/api/src/routes.ts", "packages/web/src/app.ts"], failed: [], base: "main", head: "feature" });
    expect(json.result.body).toContain("### Review: 2 finding(s) in 2 file(s)");
  });
});

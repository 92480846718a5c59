import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateRelevantTokens } from "../../src/plan/estimate-relevant-tokens.js";
import type { GitRepository } from "../../src/workspace/index.js";
import { makeRepo, openFixture, type FixtureRepo } from "./plan-fixture.js";

const client = "export async function fetchJson(url) {\n  return (await fetch(url)).json();\n}\n";
const user = "import { fetchJson } from './client.js';\nexport const load = () => fetchJson('/a');\n";
const other = "export const fetchJsonLegacy = 1; // a longer name is another identifier\n";
const price = "export const $price = 3;\n";

describe("estimateRelevantTokens", () => {
  let repo: FixtureRepo;
  let repository: GitRepository;

  beforeAll(async () => {
    repo = await makeRepo({
      "src/http/client.js": client,
      "src/app/user.js": user,
      "src/app/other.js": other,
      "src/app/price.js": price,
      "src/billing/a.js": "a".repeat(400),
      "src/billing/b.js": "b".repeat(800),
      "assets/logo.png": Buffer.from([0x89, 0x50, 0, 0, 1, 2, 3, 4]),
      "README.md": "# demo\n",
    });
    repository = await openFixture(repo);
  });

  afterAll(async () => {
    await repository.close();
    await repo.remove();
  });

  const estimate = (task: string, maxFiles?: number) => estimateRelevantTokens({ repository, commit: repo.head, task, maxFiles });

  it("searches identifiers as whole words and counts bytes / 4", async () => {
    const result = await estimate("migrate all callers of fetchJson to the new client");
    expect(result).toEqual({
      files: ["src/app/user.js", "src/http/client.js"],
      tokens: Math.ceil(user.length / 4) + Math.ceil(client.length / 4),
      capped: false,
      basis: "task",
    });
  });

  it("matches identifiers with regex characters literally", async () => {
    expect((await estimate("rename `$price` to `basePrice`")).files).toEqual(["src/app/price.js"]);
  });

  it("takes named files and directories, and counts binary files as 0 tokens", async () => {
    const result = await estimate("split src/billing/ and check assets/logo.png");
    expect(result.files).toEqual(["assets/logo.png", "src/billing/a.js", "src/billing/b.js"]);
    expect(result.tokens).toBe(100 + 200);
  });

  it("marks the estimate capped when more files match than it collects", async () => {
    const result = await estimate("touch src/app/ and src/billing/", 3);
    expect(result.files).toHaveLength(3);
    expect(result.capped).toBe(true);
  });

  it("takes a small repository whole when the task names nothing in it", async () => {
    const result = await estimate("improve the error messages");
    expect(result.basis).toBe("repository");
    expect(result.files).toEqual(await repository.listFiles(repo.head));
    expect(result.tokens).toBeGreaterThan(300);
  });

  it("leaves the scope unknown when the task names nothing and the repository is too large to take whole", async () => {
    expect(await estimate("improve the error messages", 4)).toEqual({ files: [], tokens: 0, capped: false, basis: "none" });
  });
});

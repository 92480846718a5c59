import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configChangedInPush, type PushPayloadLike } from "../../src/audit/config-changed-in-push.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/push.config-changed.json", import.meta.url), "utf8")) as PushPayloadLike & {
  commits: { added: string[]; modified: string[]; removed: string[] }[];
};

/** The fixture with its commits' file lists replaced. */
function withFiles(files: { added?: string[]; modified?: string[]; removed?: string[] }[]): PushPayloadLike {
  return { ...fixture, commits: files.map((lists, index) => ({ ...fixture.commits[index % fixture.commits.length], added: [], modified: [], removed: [], ...lists })) };
}

describe("configChangedInPush", () => {
  it("is true for a push to the default branch whose commits touch .github/dynflow.yml", () => {
    expect(configChangedInPush(fixture)).toBe(true);
    expect(configChangedInPush(withFiles([{ added: [".github/dynflow.yml"] }]))).toBe(true);
    // Removing the file means "no audits": the schedules must go.
    expect(configChangedInPush(withFiles([{ modified: ["a.ts"] }, { removed: [".github/dynflow.yml"] }]))).toBe(true);
  });

  it("is false when no commit touches the file itself", () => {
    expect(configChangedInPush(withFiles([{ modified: ["README.md"] }, { added: ["src/a.ts"], removed: ["src/b.ts"] }]))).toBe(false);
    expect(configChangedInPush(withFiles([{ modified: [".github/dynflow.yml.bak", "docs/.github/dynflow.yml", ".github/dynflow.yaml"] }]))).toBe(false);
    expect(configChangedInPush({ ...fixture, commits: [] })).toBe(false);
  });

  it("is false for other branches, tags and deleted branches: the config is read from the default branch", () => {
    expect(configChangedInPush({ ...fixture, ref: "refs/heads/feature/audits" })).toBe(false);
    expect(configChangedInPush({ ...fixture, ref: "refs/tags/main" })).toBe(false);
    expect(configChangedInPush({ ...fixture, deleted: true, commits: [] })).toBe(false);
    expect(configChangedInPush({ ...fixture, repository: { ...fixture.repository, default_branch: "trunk" } })).toBe(false);
    expect(configChangedInPush({ ...fixture, ref: "refs/heads/trunk", repository: { ...fixture.repository, default_branch: "trunk" } })).toBe(true);
  });

  it("counts a push with more commits than GitHub lists as a change", () => {
    const many = withFiles(Array.from({ length: 2048 }, () => ({ modified: ["README.md"] })));
    expect(configChangedInPush(many)).toBe(true);
    expect(configChangedInPush({ ...many, commits: many.commits!.slice(1) })).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConflictResolver, RESOLUTION_SCHEMA, type ResolverReport } from "../../src/agents/create-conflict-resolver.js";
import { mergeChanges } from "../../src/reconcile/merge-changes.js";
import type { ChangeRef } from "../../src/runtime/types.js";
import { show, testGitEnv } from "../workspace/git-fixture.js";
import { agentRequest, AUTHOR, RUN_ID, reply, reportedSpend, startHarness, type Harness } from "./agent-harness.js";

const FILES = { "src/config.ts": 'export const url = "http://old";\nexport const retries = 1;\n' };

let h: Harness;
beforeEach(async () => {
  h = await startHarness(FILES);
});
afterEach(async () => {
  await h.close();
});

/** Two workers that change the same line differently. */
async function conflictingChanges(): Promise<[ChangeRef, ChangeRef]> {
  h.script((c) => {
    const host = c.agentPrompt.includes("use https") ? "https://new" : "http://mirror";
    if (c.turn === 1) return reply.toolUse("edit_file", { path: "src/config.ts", old_text: '"http://old"', new_text: `"${host}"` });
    return reply.toolUse("finish", { summary: `url is ${host}`, result: "ok" });
  });
  const runner = h.runner();
  const a = await runner.run(agentRequest("use https", { label: "https" }, { agentId: "w1" }));
  const b = await runner.run(agentRequest("use the mirror", { label: "mirror" }, { agentId: "w2" }));
  return [a.change!, b.change!];
}

describe("resolver", () => {
  it("gets every version of each conflicted file, only the finish tool, and returns the validated resolution", async () => {
    h.script(() =>
      reply.toolUse("finish", { summary: "kept https", result: { files: [{ path: "src/config.ts", content: "resolved\n" }] } }),
    );
    const subject = {
      label: "mirror",
      files: [{ path: "src/config.ts", base: "BASE-TEXT\n", ours: "OURS-TEXT\n", theirs: "THEIRS-TEXT\n", marked: "<<<<<<< ours\n" }],
      types: ["CONFLICT (content)"],
    };
    const result = await h.runner().run(agentRequest("Resolve it", { role: "resolver", schema: RESOLUTION_SCHEMA, subject }));

    const [first] = h.conversations();
    expect(first!.body.tools.map((t: { name: string }) => t.name)).toEqual(["finish"]);
    for (const text of ["BASE-TEXT", "OURS-TEXT", "THEIRS-TEXT", "<<<<<<< ours", "CONFLICT (content)", "### src/config.ts"]) {
      expect(first!.agentPrompt).toContain(text);
    }
    expect(result.output).toEqual({ files: [{ path: "src/config.ts", content: "resolved\n" }] });
    expect(result.change).toBeNull();
  });
});

describe("createConflictResolver", () => {
  it("lets reconciliation merge two conflicting worker changes through a resolver agent", async () => {
    const [https, mirror] = await conflictingChanges();
    const merged = 'export const url = "https://new"; // mirror: http://mirror\nexport const retries = 1;\n';
    h.script((c) => {
      if (!c.agentPrompt.includes("Conflicts of")) return undefined;
      if (c.turn === 1) return reply.toolUse("finish", { summary: "s", result: { files: [{ path: "src/other.ts", content: "x" }] } });
      return reply.toolUse("finish", { summary: "combined both", result: { files: [{ path: "src/config.ts", content: merged }] } });
    });
    const reports: ResolverReport[] = [];
    const resolveConflict = createConflictResolver({ runner: h.runner(), runId: RUN_ID, onReport: (r) => reports.push(r) });
    const result = await mergeChanges({
      repoDir: h.repo.dir,
      baseCommit: h.repo.head,
      targetBranch: `dynflow/${RUN_ID}`,
      changes: [
        { label: "https", change: https },
        { label: "mirror", change: mirror },
      ],
      resolveConflict,
      author: AUTHOR,
      env: testGitEnv(),
    });

    expect(result.conflicts).toEqual([{ label: "mirror", paths: ["src/config.ts"], resolution: "resolved" }]);
    expect(await show(h.repo.dir, result.commit, "src/config.ts")).toBe(merged);
    const resolver = h.conversations("Conflicts of");
    expect(resolver).toHaveLength(2);
    expect(resolver[0]!.agentPrompt).toContain("https://new");
    expect(resolver[0]!.agentPrompt).toContain("http://mirror");
    expect(resolver[1]!.results[0]).toMatchObject({ isError: true, content: expect.stringContaining("missing src/config.ts") });
    expect(reports).toEqual([{ label: "mirror", agentId: expect.any(String), ok: true, ...reportedSpend(resolver) }]);
  });

  it("gives up (null) when the resolver agent fails, and reports what it spent", async () => {
    h.script(() => reply.error(400));
    const reports: ResolverReport[] = [];
    const resolve = createConflictResolver({ runner: h.runner(), runId: RUN_ID, onReport: (r) => reports.push(r) });
    const change: ChangeRef = { branch: "b", commit: h.repo.head, base: h.repo.head, files: [], additions: 0, deletions: 0, incomplete: false };
    const files = [{ path: "src/config.ts", base: "a\n", ours: "b\n", theirs: "c\n", marked: "<<<<<<<\n" }];
    expect(await resolve({ label: "x", change, files, types: [] })).toBeNull();
    expect(reports).toMatchObject([{ label: "x", ok: false, costUsd: 0 }]);
  });
});

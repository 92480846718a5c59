import { describe, expect, it } from "vitest";
import { conflictedPaths, conflictTypes, parseMergeTree } from "../../src/reconcile/parse-merge-tree.js";

const TREE = "4ecf7325a9e9ca079f55bd7033a9c649130d55b8";
const oid = (c: string) => c.repeat(40);

describe("parseMergeTree", () => {
  it("reads a clean merge as just a tree", () => {
    expect(parseMergeTree(`${TREE}\0`, true)).toEqual({ clean: true, tree: TREE, stages: [], messages: [] });
  });

  it("reads stages and messages of a conflicted merge, paths unquoted", () => {
    const output = [
      TREE,
      `100644 ${oid("1")} 1\tsrc/with space.ts`,
      `100644 ${oid("2")} 2\tsrc/with space.ts`,
      `100755 ${oid("3")} 3\tsrc/with space.ts`,
      `100644 ${oid("4")} 1\tgone\ttab.txt`,
      `100644 ${oid("5")} 3\tgone\ttab.txt`,
      "",
      "1",
      "src/with space.ts",
      "Auto-merging",
      "Auto-merging src/with space.ts\n",
      "1",
      "src/with space.ts",
      "CONFLICT (contents)",
      "CONFLICT (content): Merge conflict in src/with space.ts\n",
      "1",
      "gone\ttab.txt",
      "CONFLICT (modify/delete)",
      "CONFLICT (modify/delete): gone\ttab.txt deleted in one and modified in two.\n",
      "",
    ].join("\0");

    const result = parseMergeTree(output, false);

    expect(result.clean).toBe(false);
    expect(result.tree).toBe(TREE);
    expect(result.stages).toHaveLength(5);
    expect(result.stages[2]).toEqual({ mode: "100755", oid: oid("3"), stage: 3, path: "src/with space.ts" });
    expect(conflictedPaths(result)).toEqual(["src/with space.ts", "gone\ttab.txt"]);
    expect(result.messages[2]).toEqual({
      paths: ["gone\ttab.txt"],
      type: "CONFLICT (modify/delete)",
      message: "CONFLICT (modify/delete): gone\ttab.txt deleted in one and modified in two.",
    });
    expect(conflictTypes(result)).toEqual(["CONFLICT (contents)", "CONFLICT (modify/delete)"]);
  });

  it("rejects output that does not start with a tree id", () => {
    expect(() => parseMergeTree("fatal: not something we can merge\n", false)).toThrow(SyntaxError);
  });
});

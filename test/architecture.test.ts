/**
 * The layout's own documentation matches the tree: docs/architecture.md
 * names every folder of src/ (and src/app/'s phases), the README's tour every
 * top-level folder, and neither names a folder that is gone.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

/** Folders below `src/`, as `src/a/b/`. */
function folders(dir = "src/"): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [`${dir}${entry.name}/`, ...folders(`${dir}${entry.name}/`)]);
}

/** Folders a document names as `src/...`, with or without the trailing slash. */
function named(text: string): string[] {
  return [...new Set([...text.matchAll(/`?(src\/[a-z0-9/-]+?)\/?[`\s,)]/g)].map((match) => `${match[1]}/`))].filter((path) => !/\.[a-z]+\/$/.test(path));
}

describe("the documented layout", () => {
  const tree = folders();
  const architecture = read("docs/architecture.md");
  const tour = read("README.md").split("## A short tour")[1]?.split("Documentation:")[0] ?? "";

  it("names every folder of src/ in docs/architecture.md: by its path, or a sub-folder by its path below its top-level folder", () => {
    const missing = tree.filter((folder) => {
      const [, , ...below] = folder.slice(0, -1).split("/");
      return !architecture.includes(folder) && !(below.length > 0 && architecture.includes(`\`${below.join("/")}/\``));
    });
    expect(missing).toEqual([]);
  });

  it("names every top-level folder of src/ in the README's tour", () => {
    const topLevel = tree.filter((folder) => folder.split("/").length === 3);
    expect(topLevel.filter((folder) => !tour.includes(`\`${folder}\``))).toEqual([]);
  });

  it("names no folder that does not exist", () => {
    for (const text of [architecture, tour]) expect(named(text).filter((folder) => !tree.includes(folder))).toEqual([]);
  });
});

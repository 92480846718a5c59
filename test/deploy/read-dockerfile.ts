/**
 * Reads the repository's Dockerfile and .dockerignore the way `docker build`
 * does, for tests that check the image without a Docker engine: the stages,
 * each stage's `ENV`, `COPY` and `RUN` instructions in order, and which files
 * of the build context are sent at all.
 */
import { readFileSync } from "node:fs";
import { compileGlob } from "../../src/patterns/index.js";

/** One `COPY [--from=stage] <src>... <dest>`. */
export interface CopyInstruction {
  from: string | null;
  sources: string[];
  dest: string;
}

export type Instruction = { kind: "copy"; copy: CopyInstruction } | { kind: "run"; command: string } | { kind: "env"; values: Record<string, string> };

export interface Stage {
  /** `AS name`, or the stage's index as text. */
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages in order; the last one is the image. */
export function readDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === "FROM") {
      const as = rest.findIndex((word) => word.toUpperCase() === "AS");
      stages.push({ name: as >= 0 ? (rest[as + 1] ?? "") : String(stages.length), base: rest[0] ?? "", instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    if (upper === "COPY") {
      const from = rest.find((word) => word.startsWith("--from="))?.slice("--from=".length) ?? null;
      const paths = rest.filter((word) => !word.startsWith("--"));
      stage.instructions.push({ kind: "copy", copy: { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" } });
    } else if (upper === "RUN") {
      stage.instructions.push({ kind: "run", command: rest.join(" ") });
    } else if (upper === "ENV") {
      const values: Record<string, string> = {};
      for (const pair of rest) {
        const eq = pair.indexOf("=");
        if (eq > 0) values[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      stage.instructions.push({ kind: "env", values });
    }
  }
  return stages;
}

/** The environment the image's processes start with (`ENV` of the last stage). */
export function imageEnv(stages: Stage[]): Record<string, string> {
  const image = stages.at(-1);
  const env: Record<string, string> = {};
  for (const instruction of image?.instructions ?? []) if (instruction.kind === "env") Object.assign(env, instruction.values);
  return env;
}

/**
 * Whether `.dockerignore` keeps `path` (relative, `/`-separated) out of the
 * build context: the last matching pattern decides, `!` re-includes, and a
 * pattern that matches a directory matches everything under it.
 */
export function createContextFilter(dockerignore: string): (path: string) => boolean {
  const rules = dockerignore
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const include = line.startsWith("!");
      const pattern = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
      return { include, match: compileGlob(pattern) };
    });
  return (path) => {
    const parts = path.split("/");
    const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join("/"));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((prefix) => rule.match(prefix))) excluded = !rule.include;
    return excluded;
  };
}

/** The repository's Dockerfile and .dockerignore. */
export function readRepositoryDocker(root: URL): { stages: Stage[]; isIgnored: (path: string) => boolean } {
  return {
    stages: readDockerfile(readFileSync(new URL("Dockerfile", root), "utf8")),
    isIgnored: createContextFilter(readFileSync(new URL(".dockerignore", root), "utf8")),
  };
}

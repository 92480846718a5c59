/**
 * `.github/workflows/ci.yml` must test what `.ci/run` tests, against the
 * servers the tests actually connect to, on every Node line package.json
 * supports, and build what the Docker image builds.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));

interface Job {
  strategy?: { matrix?: { node?: number[] } };
  env?: Record<string, string>;
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
  steps: { run?: string; uses?: string; env?: Record<string, string> }[];
}

const workflow = parse(readFileSync(join(root, ".github/workflows/ci.yml"), "utf8")) as { env?: Record<string, string>; jobs: Record<string, Job> };
const jobs = Object.values(workflow.jobs);

/** All text of the files that could read an environment variable. */
function readersText(): string {
  const texts: string[] = [readFileSync(join(root, ".ci/run"), "utf8")];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(ts|js|mjs)$/.test(name)) texts.push(readFileSync(path, "utf8"));
    }
  };
  for (const dir of ["src", "test", "bench", "scripts"]) visit(join(root, dir));
  return texts.join("\n");
}

describe(".github/workflows/ci.yml", () => {
  it("runs .ci/run, the one CI entry (npm ci, typecheck, lint, every test), then the build", () => {
    for (const job of jobs) {
      const runs = job.steps.map((step) => step.run?.trim()).filter((run): run is string => run !== undefined);
      expect(runs).toContain("bash .ci/run");
      expect(runs.indexOf("npm run build")).toBeGreaterThan(runs.indexOf("bash .ci/run"));
    }
  });

  it("tests on Node 20, 22 and 24", () => {
    const lines = jobs.flatMap((job) => job.strategy?.matrix?.node ?? []);
    expect([...new Set(lines)].sort()).toEqual([20, 22, 24]);
  });

  it("gives the tests PostgreSQL as they connect to it: user postgres, no password, port 5432; and Redis on 6379", () => {
    const postgresUrl = readFileSync(join(root, "test/durability/deployment.ts"), "utf8");
    expect(postgresUrl).toContain('"postgres://postgres@127.0.0.1:5432/postgres"');
    for (const job of jobs) {
      const postgres = job.services?.postgres;
      expect(postgres?.ports).toContain("5432:5432");
      expect(postgres?.env?.POSTGRES_HOST_AUTH_METHOD).toBe("trust");
      expect(postgres?.env?.POSTGRES_USER ?? "postgres").toBe("postgres");
      expect(postgres?.env?.POSTGRES_DB ?? "postgres").toBe("postgres");
      expect(job.services?.redis?.ports).toContain("6379:6379");
    }
  });

  it("sets no variable that nothing reads", () => {
    const text = readersText();
    const names = [workflow.env, ...jobs.flatMap((job) => [job.env, ...job.steps.map((step) => step.env)])].flatMap((env) => Object.keys(env ?? {}));
    for (const name of names) expect(text.includes(name), `${name} is read somewhere`).toBe(true);
  });
});

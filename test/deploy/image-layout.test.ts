/**
 * The Docker image's file layout, built without Docker: exactly the files the
 * Dockerfile's last stage copies (after .dockerignore), with `dist/` compiled
 * from `src/` the way the build stage does and the installed `node_modules`
 * standing in for the deps stage. Then the compiled CLI runs, from that layout,
 * a bundled workflow and a planned task against a local fake of the Messages
 * API: what the image would do if the files it reads at run time were missing.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { transform } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { MIGRATION_FILES, migrationModel } from "../cli/migration-model.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { readRepositoryDocker, type CopyInstruction, type Stage } from "./read-dockerfile.js";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every file under `dir` (relative, `/`-separated). */
async function walk(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name), base) : Promise.resolve([relative(base, join(dir, entry.name))]))),
  );
  return files.flat();
}

/** `dist/` as the build stage makes it: every `src/**\/*.ts` compiled to `.js` at the same place. */
async function compileSources(target: string): Promise<void> {
  for (const file of await walk(join(root, "src"))) {
    if (!file.endsWith(".ts")) continue;
    const { code } = await transform(await readFile(join(root, "src", file), "utf8"), { loader: "ts", format: "esm", target: "node20" });
    const out = join(target, file.replace(/\.ts$/, ".js"));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, code);
  }
}

/** Copies `source` (a context path) as Docker does, leaving out what .dockerignore excludes; returns how many files. */
async function copyFromContext(source: string, dest: string, isIgnored: (path: string) => boolean): Promise<number> {
  const from = join(root, source);
  const isDir = (await stat(from)).isDirectory();
  const files = isDir ? (await walk(from)).map((file) => `${source.replace(/\/$/, "")}/${file}`) : [source];
  const sent = files.filter((file) => !isIgnored(file));
  for (const file of sent) {
    const target = isDir ? join(dest, relative(source, file)) : dest.endsWith("/") ? join(dest, file.split("/").at(-1) ?? file) : dest;
    await mkdir(dirname(target), { recursive: true });
    await cp(join(root, file), target);
  }
  return sent.length;
}

/** Lays out the image's `/app` in `app`, failing on any COPY this test cannot reproduce. */
async function layOutImage(app: string, stages: Stage[], isIgnored: (path: string) => boolean): Promise<void> {
  const image = stages.at(-1) as Stage;
  const fromStage: Record<string, (copy: CopyInstruction) => Promise<void>> = {
    // The deps stage is `npm ci --omit=dev`; the installed node_modules holds at least that.
    "deps:/app/node_modules": async (copy) => symlink(join(root, "node_modules"), join(app, copy.dest), "dir"),
    "build:/app/dist": async (copy) => compileSources(join(app, copy.dest)),
  };
  for (const instruction of image.instructions) {
    if (instruction.kind !== "copy") continue;
    const { copy } = instruction;
    if (copy.from !== null) {
      const key = `${copy.from}:${copy.sources.join(" ")}`;
      const make = fromStage[key];
      if (!make) throw new Error(`the layout test cannot reproduce COPY --from=${key}; teach it how`);
      await make(copy);
      continue;
    }
    const dest = join(app, copy.dest);
    for (const source of copy.sources) {
      const count = await copyFromContext(source, copy.sources.length > 1 ? `${dest}/` : dest, isIgnored);
      if (count === 0) throw new Error(`COPY ${source}: .dockerignore leaves nothing of it in the build context`);
    }
  }
}

describe("the Docker image's files", () => {
  let app: string;
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  const { stages, isIgnored } = readRepositoryDocker(new URL("../../", import.meta.url));

  beforeAll(async () => {
    app = await tempDir("dynflow-image-");
    await layOutImage(app, stages, isIgnored);
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle(migrationModel);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await removeDir(app);
  });

  async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...testGitEnv(), PATH: process.env.PATH, HOME: process.env.HOME, ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
    return exec(process.execPath, [join(app, "dist/cli/bin.js"), ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  it("hold the bundled workflows: the compiled CLI runs `migrate` by name from them", async () => {
    repo = await makeRepo(MIGRATION_FILES);
    try {
      const scripts = await tempDir("dynflow-image-script-");
      await writeFile(
        join(scripts, "wrap.js"),
        `export const meta = { name: "image-check", description: "runs the bundled migrate workflow" };
return await workflow("migrate", { task: "Migrate src/billing from fetchJson to client.get", targets: [{ name: "src/billing", write: ["src/billing/**"] }] });
`,
      );
      const { code, stdout, stderr } = await runCli(["run", "--repo", repo.dir, "--script", "wrap.js", "--json"], scripts);
      expect(stderr).not.toContain("no bundled one");
      expect(code, stderr).toBe(0);
      const json = JSON.parse(stdout) as RunJson;
      expect(json.workers.map((worker) => [worker.label, worker.status])).toEqual([["src/billing", "accepted"]]);
      expect(await git(repo.dir, "show", `${json.branch}:src/billing/index.ts`)).toContain("client.get");
      await removeDir(scripts);
    } finally {
      await removeDir(repo.dir);
    }
  }, 60_000);

  it("hold the plan API reference: the compiled CLI plans a task from them", async () => {
    repo = await makeRepo(MIGRATION_FILES);
    try {
      const { code, stdout, stderr } = await runCli(["run", "--repo", repo.dir, "--task", "Migrate src/billing from fetchJson to client.get", "--json"], app);
      expect(stderr).not.toContain("plan-api.md");
      expect(code, stderr).toBe(0);
      expect((JSON.parse(stdout) as RunJson).status).toBe("ok");
    } finally {
      await removeDir(repo.dir);
    }
  }, 60_000);

  it("run package.json's install scripts only after the files they need are copied", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const needed = Object.entries(pkg.scripts)
      .filter(([name]) => ["preinstall", "install", "postinstall"].includes(name))
      .flatMap(([, command]) => command.match(/scripts\/[\w./-]+/g) ?? []);
    const copiedBy = new Map<string, string[]>();
    for (const stage of stages) {
      // A stage built FROM an earlier one starts with that stage's files.
      const copied: string[] = [...(copiedBy.get(stage.base) ?? [])];
      copiedBy.set(stage.name, copied);
      for (const instruction of stage.instructions) {
        if (instruction.kind === "copy" && instruction.copy.from === null) copied.push(...instruction.copy.sources);
        if (instruction.kind === "run" && /\bnpm (ci|install)\b/.test(instruction.command)) {
          for (const file of needed) expect(copied.some((source) => file.startsWith(source.replace(/\/$/, ""))), `${stage.name}: ${file}`).toBe(true);
        }
      }
    }
  });
});

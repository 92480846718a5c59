import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkflowLoadError } from "../../src/runtime/errors.js";
import { runScript } from "../../src/runtime/run-script.js";
import { validateScript } from "../../src/runtime/script/parse-script.js";
import { listBundledWorkflows, readBundledWorkflow } from "../../src/workflows/bundled-workflows.js";
import { createWorkflowResolver, findWorkflow } from "../../src/workflows/resolve-workflow.js";
import { createReviewExtension } from "../../src/review/create-review-extension.js";
import { createSimulatedRunner } from "../../src/simulate/simulated-runner.js";

const SHIPPED = ["audit", "migrate", "review"];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dynflow-bundled-"));
  await writeFile(join(dir, "tidy.js"), `export const meta = { name: "tidy", description: "d" }\nreturn args\n`);
  await writeFile(join(dir, "README.md"), "not a workflow\n");
  await writeFile(join(dir, "Bad Name.js"), "x\n");
  await mkdir(join(dir, "folder.js"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("bundled workflows", () => {
  it("ships audit, migrate and review, each a valid plan script whose meta names it and lists its phases", async () => {
    const names = await listBundledWorkflows();
    expect(names).toEqual(expect.arrayContaining(SHIPPED));
    expect(names).toEqual([...names].sort());
    for (const name of SHIPPED) {
      const workflow = await readBundledWorkflow(name);
      expect(workflow).toMatchObject({ name, filename: `workflows/${name}.js` });
      const validation = validateScript(workflow!.source, workflow!.filename);
      if (!validation.ok) throw validation.error;
      expect(validation.meta.name).toBe(name);
      expect(validation.meta.description.length).toBeGreaterThan(20);
      expect(validation.meta.phases?.length).toBeGreaterThan(1);
    }
  });

  it("reads by name with or without .js, and answers null for anything else", async () => {
    expect((await readBundledWorkflow("audit.js"))?.name).toBe("audit");
    for (const name of ["nope", "../package", "../package.json", "/etc/passwd", "", "Audit", "a/b"]) {
      expect(await readBundledWorkflow(name)).toBeNull();
    }
  });

  it("lists and reads another folder: plain .js files only", async () => {
    expect(await listBundledWorkflows({ dir })).toEqual(["tidy"]);
    expect(await readBundledWorkflow("tidy", { dir })).toMatchObject({ name: "tidy", filename: "workflows/tidy.js" });
    expect(await readBundledWorkflow("folder", { dir })).toBeNull();
  });
});

describe("finding a workflow by name", () => {
  const saved = async (name: string) => (name === "audit" ? { source: "saved audit", filename: ".claude/workflows/audit.js" } : null);

  it("prefers the repository's saved workflow, then the bundled one", async () => {
    expect(await findWorkflow("audit", { saved })).toEqual({ source: "saved audit", filename: ".claude/workflows/audit.js" });
    expect((await findWorkflow("review", { saved }))?.filename).toBe("workflows/review.js");
    expect(await findWorkflow("nope", { saved })).toBeNull();
  });

  it("resolves names for workflow() and names the choices when none matches", async () => {
    const resolve = createWorkflowResolver({ saved });
    expect((await resolve("migrate")).filename).toBe("workflows/migrate.js");
    const error = await resolve("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowLoadError);
    expect((error as WorkflowLoadError).message).toContain("audit, migrate, review");
    await expect(resolve({ scriptPath: "x.js" })).rejects.toBeInstanceOf(WorkflowLoadError);
  });

  it("lets a script run a bundled workflow with workflow(name)", async () => {
    const runner = createSimulatedRunner({ defaultModel: "m", priceOf: () => 0, items: 1 });
    const noFiles = { readOnly: () => Promise.reject(new Error("not read")) };
    const { extension } = createReviewExtension({ repository: noFiles, baseCommit: "base", config: { refutersPerClaim: 1, maxRounds: 2 } });
    const outcome = await runScript({
      runId: "r1",
      source: `export const meta = { name: "outer", description: "d" }\nconst r = await workflow("migrate", { task: "t", targets: ["src/a.ts", "src/b.ts"] })\nreturn r.summary`,
      baseRevision: "base",
      runner,
      resolveWorkflow: createWorkflowResolver(),
      extensions: [extension],
    });
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual({ accepted: 2, refuted: 0, unverified: 0, failed: 0, unchanged: 0, stopped: 0 });
  });
});

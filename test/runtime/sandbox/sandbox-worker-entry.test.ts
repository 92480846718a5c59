import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { execArgvWithoutTsx, sandboxWorkerEntry } from "../../../src/runtime/sandbox/sandbox-worker-entry.js";
import { runScript } from "./sandbox-harness.js";

describe("sandboxWorkerEntry: from the TypeScript sources", () => {
  it("starts workers from one bundled module in node_modules/.cache, not through tsx", async () => {
    const entry = await sandboxWorkerEntry();
    expect(entry.kind).toBe("module");
    if (entry.kind !== "module") return;
    expect(entry.withoutTsx).toBe(true);
    const path = fileURLToPath(entry.url);
    expect(path).toMatch(/node_modules[/\\]\.cache[/\\]dynflow[/\\]sandbox-worker-[0-9a-f]{16}\.mjs$/);
    // One module: nothing of the sources is imported at run time.
    const code = await readFile(path, "utf8");
    expect(code).not.toMatch(/from\s+["'][^"']*\.ts["']/);
    expect(await sandboxWorkerEntry()).toBe(entry);
  });

  it("runs programs from that bundle", async () => {
    expect(await runScript(`(async () => (await hostEcho(20)) + 22)()`)).toEqual({ ok: true, value: 42 });
  });
});

describe("execArgvWithoutTsx", () => {
  it("drops every form of loading tsx and keeps the other flags in order", () => {
    expect(
      execArgvWithoutTsx([
        "--enable-source-maps",
        "--import",
        "tsx",
        "--import=tsx/esm",
        "--require",
        "/app/node_modules/tsx/dist/cjs/index.cjs",
        "--loader=file:///app/node_modules/tsx/dist/loader.mjs",
        "--conditions=dev",
      ]),
    ).toEqual(["--enable-source-maps", "--conditions=dev"]);
  });

  it("answers undefined when there is no tsx to drop, so the worker inherits the flags", () => {
    expect(execArgvWithoutTsx(["--import", "./tsxish.mjs", "--conditions=tsx"])).toBeUndefined();
    expect(execArgvWithoutTsx([])).toBeUndefined();
  });
});

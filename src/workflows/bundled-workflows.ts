/**
 * The workflows shipped with dynflow (`workflows/<name>.js` in the package:
 * audit, migrate, review), runnable by name like saved ones and readable by
 * users, who can copy one into `.claude/workflows/` to adapt it.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A bundled workflow's script. */
export interface BundledWorkflow {
  /** The name without `.js`, e.g. `audit`. */
  name: string;
  source: string;
  /** Shown in errors and reports, e.g. `workflows/audit.js`. */
  filename: string;
}

export interface BundledWorkflowOptions {
  /** Folder to read from; default the package's `workflows/`. */
  dir?: string;
}

/**
 * The package's `workflows/` folder. This module sits two levels below the
 * package root both as `src/workflows/*.ts` (under tsx) and as
 * `dist/workflows/*.js` (built), so one relative path serves both.
 */
export const BUNDLED_WORKFLOWS_DIR: string = fileURLToPath(new URL("../../workflows/", import.meta.url));

/** Only plain names: a name can never reach outside the folder. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/** Names of the bundled workflows, sorted. */
export async function listBundledWorkflows(options: BundledWorkflowOptions = {}): Promise<string[]> {
  const entries = await readdir(options.dir ?? BUNDLED_WORKFLOWS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".js"))
    .map((entry) => entry.name.slice(0, -3))
    .filter((name) => NAME.test(name))
    .sort();
}

/** The bundled workflow called `name` (with or without `.js`), or null when there is none. */
export async function readBundledWorkflow(name: string, options: BundledWorkflowOptions = {}): Promise<BundledWorkflow | null> {
  const bare = name.endsWith(".js") ? name.slice(0, -3) : name;
  if (!NAME.test(bare)) return null;
  const file = join(options.dir ?? BUNDLED_WORKFLOWS_DIR, `${bare}.js`);
  try {
    const source = await readFile(file, "utf8");
    return { name: bare, source, filename: `workflows/${bare}.js` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "EISDIR") return null;
    throw error;
  }
}

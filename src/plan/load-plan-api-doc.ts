/**
 * Reads the plan API reference the planner shows the model. It ships with the
 * package (`docs/plan-api.md`), two levels above this file both in `src/` and
 * in the built `dist/`.
 */
import { readFile } from "node:fs/promises";

/** The default location of `docs/plan-api.md`. */
export const PLAN_API_DOC_URL = new URL("../../docs/plan-api.md", import.meta.url);

export function loadPlanApiDoc(url: URL = PLAN_API_DOC_URL): Promise<string> {
  return readFile(url, "utf8");
}

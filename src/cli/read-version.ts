/**
 * The version `dynflow --version` prints: package.json's, which sits two
 * levels above this file both in `src/cli/` and in the built `dist/cli/`.
 */
import { readFileSync } from "node:fs";

export const PACKAGE_JSON_URL = new URL("../../package.json", import.meta.url);

export function readVersion(url: URL = PACKAGE_JSON_URL): string {
  const { version } = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  return typeof version === "string" ? version : "unknown";
}

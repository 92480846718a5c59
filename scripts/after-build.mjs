// Marks the CLI entry executable after `tsc` so `npm link` / `npx dynflow` work.
import { chmodSync, existsSync } from "node:fs";
import { URL } from "node:url";

const bin = new URL("../dist/cli/bin.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);

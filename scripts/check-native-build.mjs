// postinstall: better-sqlite3 (the embedded store) must load in the Node that ran the install.
//
// Where no prebuilt binary can be downloaded, better-sqlite3 compiles from source against the
// headers npm's `nodedir` points at. On a machine whose npm is configured with another Node's
// headers (e.g. `nodedir=/usr` from a distribution's Node 20, while Node 24 runs the install), the
// build "succeeds" with the wrong ABI and every use fails with NODE_MODULE_VERSION errors. This
// script notices that and rebuilds once against the running Node's own headers, which official
// Node distributions (and the `node` package on npm) ship in `<prefix>/include/node`.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PROBE = "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get();";

/** The project whose node_modules holds better-sqlite3, or null when it is not installed. */
function projectDir() {
  try {
    const manifest = createRequire(join(process.cwd(), "package.json")).resolve("better-sqlite3/package.json");
    return dirname(dirname(dirname(manifest)));
  } catch {
    return null;
  }
}

function loads(cwd) {
  return spawnSync(process.execPath, ["-e", PROBE], { cwd, encoding: "utf8" });
}

/** Install prefixes that may hold the running Node's headers, in order of likelihood. */
function candidatePrefixes() {
  const exec = realpathSync(process.execPath);
  const prefix = dirname(dirname(exec));
  const platformPackage = `node-${process.platform}-${process.arch}`;
  return [
    prefix,
    // The `node` package on npm keeps the distribution in a platform package beside its bin/.
    join(prefix, "node_modules", platformPackage),
    join(dirname(prefix), platformPackage),
  ];
}

/** The prefix whose include/node/node_version.h is exactly this Node's version. */
function headersOfRunningNode() {
  const [major, minor, patch] = process.versions.node.split(".");
  for (const prefix of candidatePrefixes()) {
    const header = join(prefix, "include", "node", "node_version.h");
    if (!existsSync(header)) continue;
    const text = readFileSync(header, "utf8");
    const version = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
    if (version("NODE_MAJOR_VERSION") === major && version("NODE_MINOR_VERSION") === minor && version("NODE_PATCH_VERSION") === patch) return prefix;
  }
  return null;
}

const dir = projectDir();
if (dir !== null) {
  const first = loads(dir);
  if (first.status !== 0) {
    const prefix = headersOfRunningNode();
    const fail = (why) => {
      process.stderr.write(
        `dynflow: better-sqlite3 does not load in Node ${process.version} (${why}).\n` +
          `${first.stderr.split("\n").find((line) => line.includes("Error")) ?? ""}\n` +
          "Rebuild it against this Node's headers: npm rebuild better-sqlite3 --nodedir=<this Node's install prefix>\n",
      );
      process.exit(1);
    };
    if (prefix === null) fail("no headers of this exact Node version were found beside it");
    process.stderr.write(`dynflow: better-sqlite3 was built for another Node; rebuilding it against ${join(prefix, "include", "node")}\n`);
    const npm = process.env.npm_execpath;
    const command = npm ? [process.execPath, [npm, "rebuild", "better-sqlite3"]] : ["npm", ["rebuild", "better-sqlite3"]];
    const rebuild = spawnSync(command[0], command[1], { cwd: dir, stdio: "inherit", env: { ...process.env, npm_config_nodedir: prefix } });
    if (rebuild.status !== 0) fail(`the rebuild failed with exit code ${rebuild.status}`);
    if (loads(dir).status !== 0) fail("it still does not load after the rebuild");
  }
}

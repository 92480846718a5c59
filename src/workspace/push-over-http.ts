/**
 * A push to an HTTP(S) remote from this process: the remote's refs and the
 * ref updates over `node:http(s)`, the pack built in process when the
 * repository is given (pack-added.ts), else by one `git pack-objects`. `git push`
 * takes four processes for the same (push, remote-http, send-pack,
 * pack-objects), and most of a run's git CPU was theirs.
 *
 * It declines (null, and `git push` does the work) whatever git alone knows
 * how to do: a remote that is not HTTP(S); a proxy in the environment;
 * any `http.*`, `url.*` or `push.*` setting in git's configuration, or an
 * `include` in the repository's own file; refs not stored as files; a refspec that is not a full
 * ref or id; a fast-forward-only update of a ref the remote already has
 * (git checks the ancestry); a remote without `report-status`, or with
 * another object format. The token travels in the request's header only: no
 * git process of a push over HTTP sees it.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { basicAuthorization, gitEnvironment } from "./git-env.js";
import type { PushedRef } from "./push-branches.js";
import { FULL_OID } from "./object-id.js";
import { readRefs } from "./read-refs.js";
import { advertiseRefs, receivePackRequest, ReceivePackError, sendReceivePack, zeroId, type RefCommand } from "./receive-pack.js";
import { runGit, type GitContext } from "./run-git.js";

export interface PushOverHttpOptions {
  repoDir: string;
  remoteUrl: string;
  token?: string;
  refspecs: readonly string[];
  /** The environment git would run with (before the allowlist). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: Logger;
  /** Builds the pack in process when it can (the repository at `repoDir`, see pack-added.ts); else, or without it, `git pack-objects` does. */
  objects?: PackSource;
}

/** Makes the pack of a push, or says (null) that git has to. */
export interface PackSource {
  packAdded(wanted: readonly string[], have: readonly string[]): Promise<Buffer | null>;
}

/**
 * Variables that send git through a proxy: with one set, git pushes. TLS
 * settings (`SSL_CERT_FILE`, `GIT_SSL_CAINFO`) are not among them: this
 * process trusts what it trusts for GitHub's API (`NODE_EXTRA_CA_CERTS`), and
 * a certificate it refuses fails the push here, which git then makes.
 */
const PROXY_VARIABLES = /^(https?_proxy|all_proxy)$/i;
/** Settings of git's configuration that change how it pushes or reaches a remote. */
const GIT_SETTINGS = "^(http|url|push)\\.";

/** Pushes `refspecs` in this process; null when git has to (see above). Throws when the push went wrong before the remote reported. */
export async function pushOverHttp(options: PushOverHttpOptions): Promise<PushedRef[] | null> {
  if (!/^https?:\/\//i.test(options.remoteUrl)) return null;
  if (Object.entries(options.env).some(([name, value]) => PROXY_VARIABLES.test(name) && value !== undefined && value !== "")) return null;
  const gitDir = locateGitDir(options.repoDir);
  if (gitDir === null) return null;
  const updates = parseRefspecs(options.refspecs);
  if (updates === null) return null;
  const ctx: GitContext = { cwd: options.repoDir, env: gitEnvironment(options.env), secrets: [] };
  if (await hasGitSettings(ctx, gitDir)) return null;
  const local = readRefs(gitDir);
  if (local === null) return null;
  const resolved: { update: RefUpdate; next: string | null }[] = [];
  for (const update of updates) {
    const next = update.source === "" ? null : FULL_OID.test(update.source) ? update.source : local.get(update.source);
    if (next === undefined) return null;
    resolved.push({ update, next });
  }

  const remote = { url: options.remoteUrl, ...(options.token ? { authorization: basicAuthorization(options.token) } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const advertised = await advertiseRefs(remote);
  const zero = zeroId(advertised.hexLength);
  if (!advertised.capabilities.has("report-status") || resolved.some(({ next }) => next !== null && next.length !== zero.length)) return null;
  if (resolved.some(({ next }) => next === null) && !advertised.capabilities.has("delete-refs")) return null;

  const results = new Map<RefUpdate, PushedRef>();
  const commands: { update: RefUpdate; command: RefCommand }[] = [];
  for (const { update, next } of resolved) {
    const old = advertised.refs.get(update.destination) ?? zero;
    const target = next ?? zero;
    if (next !== null && old === target) {
      results.set(update, pushed(update, "up-to-date", "[up to date]"));
      continue;
    }
    if (!update.force && next !== null && old !== zero) return null;
    commands.push({ update, command: { ref: update.destination, old, next: target } });
  }
  if (commands.length > 0) {
    const wanted = commands.map(({ command }) => command.next).filter((id) => id !== zero);
    const pack = wanted.length > 0 ? await packOf(options, ctx, wanted, remoteIdsHere(advertised.refs, local), advertised.capabilities.has("ofs-delta")) : null;
    // Only what the remote offered is asked for.
    const capabilities = [
      "report-status",
      ...(wanted.length < commands.length ? ["delete-refs"] : []),
      ...(pack && advertised.capabilities.has("ofs-delta") ? ["ofs-delta"] : []),
      ...([...advertised.capabilities].some((c) => c.startsWith("agent=")) ? ["agent=dynflow"] : []),
    ];
    const report = await sendReceivePack(remote, receivePackRequest(commands.map((c) => c.command), capabilities, pack));
    if (report.unpack !== "ok") throw new ReceivePackError(`the remote could not unpack the pack: ${report.unpack}`);
    for (const { update, command } of commands) {
      const reason = report.refs.has(command.ref) ? report.refs.get(command.ref) : "remote failed to report status";
      results.set(update, reason === null ? pushed(update, ...accepted(command, zero)) : pushed(update, "rejected", `[remote rejected] (${reason})`));
    }
  }
  options.log?.debug({ refs: updates.length, sent: commands.length }, "pushed over HTTP");
  return updates.map((update) => results.get(update) as PushedRef);
}

interface RefUpdate {
  force: boolean;
  /** A full ref name or id; "" to delete the destination. */
  source: string;
  destination: string;
}

/** `[+]<source>:<destination>` with full names only; null when one needs git's rules for short names. */
function parseRefspecs(refspecs: readonly string[]): RefUpdate[] | null {
  const updates: RefUpdate[] = [];
  for (const refspec of refspecs) {
    const match = /^(\+?)([^:]*):(refs\/\S+)$/.exec(refspec);
    if (!match) return null;
    const [, force = "", source = "", destination = ""] = match;
    if (source !== "" && !source.startsWith("refs/") && !FULL_OID.test(source)) return null;
    updates.push({ force: force === "+", source, destination });
  }
  // Two updates of one ref are git's to refuse.
  return new Set(updates.map((u) => u.destination)).size === updates.length ? updates : null;
}

function pushed(update: RefUpdate, status: PushedRef["status"], summary: string): PushedRef {
  return { source: update.source, destination: update.destination, status, summary };
}

/** How git's porcelain would name an update the remote accepted. */
function accepted(command: RefCommand, zero: string): [PushedRef["status"], string] {
  if (command.next === zero) return ["deleted", "[deleted]"];
  if (command.old === zero) return ["created", command.ref.startsWith("refs/heads/") ? "[new branch]" : command.ref.startsWith("refs/tags/") ? "[new tag]" : "[new reference]"];
  // Only a `+` update of an existing ref is sent from here; whether it was a fast-forward is not looked at.
  return ["forced", `${command.old.slice(0, 7)}...${command.next.slice(0, 7)} (forced update)`];
}

/** The remote's ids that are also the value of a ref here: objects both sides have, with all they reach. */
function remoteIdsHere(remote: ReadonlyMap<string, string>, local: ReadonlyMap<string, string>): string[] {
  const here = new Set(local.values());
  return [...new Set(remote.values())].filter((id) => here.has(id));
}

/**
 * The pack of a push: from `options.objects` when it can make it (no process
 * to start), else from git. A pack that could not be made in process (the
 * repository closed meanwhile, an object it could not read) is git's to make,
 * with git's own error if there is one.
 */
async function packOf(options: PushOverHttpOptions, ctx: GitContext, wanted: readonly string[], have: readonly string[], offsets: boolean): Promise<Buffer> {
  const made = await options.objects?.packAdded(wanted, have).catch((error: unknown) => {
    options.log?.debug({ err: error }, "could not build the pack in process; git packs it");
    return null;
  });
  return made ?? packObjects(ctx, wanted, have, offsets, options.signal);
}

/**
 * A pack of what `wanted` reaches and `have` does not. Not a thin one, as
 * `git push` sends: a thin pack's deltas may start from the remote's blobs,
 * which a partial clone fetches for that (a round trip, and more bytes than
 * the whole new blob); a pack that stands alone needs none of them.
 */
async function packObjects(ctx: GitContext, wanted: readonly string[], have: readonly string[], offsets: boolean, signal: AbortSignal | undefined): Promise<Buffer> {
  const input = [...wanted, ...have.map((id) => `^${id}`)].join("\n") + "\n";
  const args = ["pack-objects", "--revs", "--stdout", "-q", ...(offsets ? ["--delta-base-offset"] : [])];
  return (await runGit(ctx, args, { input, ...(signal ? { signal } : {}) })).stdout;
}

/** The git directory of `repoDir` (bare, or with a `.git` directory), or null for any other layout. */
function locateGitDir(repoDir: string): string | null {
  for (const dir of [repoDir, join(repoDir, ".git")]) {
    if (statSync(join(dir, "objects"), { throwIfNoEntry: false })?.isDirectory() && statSync(join(dir, "HEAD"), { throwIfNoEntry: false })?.isFile()) return dir;
  }
  return null;
}

/**
 * Sections of a repository's own configuration that change a push, or may:
 * `http`, `url` and `push` as above, and `include`/`includeIf`, which bring in
 * another file.
 */
const PUSH_SECTIONS = new Set(["http", "url", "push", "include", "includeif"]);

/**
 * What the repository's own configuration file (`<gitDir>/config`) says of a
 * push: `"some"` when it has a section that may change it, `"none"` when it
 * has none, `"ask"` when git has to read it (no such file, a per-worktree file
 * beside it, a header this does not read). A line read as a header that git
 * reads as the continuation of a value only makes it say `"some"`: git then
 * pushes, as it would have to anyway if the setting were real.
 */
export function ownPushSettings(gitDir: string): "some" | "none" | "ask" {
  let text: string;
  try {
    text = readFileSync(join(gitDir, "config"), "utf8");
  } catch {
    return "ask";
  }
  if (statSync(join(gitDir, "config.worktree"), { throwIfNoEntry: false }) !== undefined) return "ask";
  for (const line of text.split("\n")) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith("[")) continue;
    const section = /^\[\s*([A-Za-z0-9-]+)[\s."\]]/.exec(trimmed)?.[1];
    if (section === undefined) return "ask";
    if (PUSH_SECTIONS.has(section.toLowerCase())) return "some";
  }
  return "none";
}

/**
 * Whether git's configuration, as seen from `ctx`, has a setting only git would
 * apply. A repository's own file is read here on every push; what lies
 * outside it (the system's and the user's files, named by the environment)
 * is asked of git once per environment, from a repository whose own file has
 * nothing to add, so each new clone costs no git process. A repository this
 * cannot read is asked of git itself, once per repository and environment.
 */
const settingsSeen = new Map<string, Promise<boolean>>();
const SETTINGS_KEPT = 256;

function hasGitSettings(ctx: GitContext, gitDir: string): Promise<boolean> {
  const own = ownPushSettings(gitDir);
  if (own === "some") return Promise.resolve(true);
  const outside = ["HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM"].map((name) => ctx.env[name] ?? null);
  // With nothing in the repository's own file, git's answer there is the answer outside any repository.
  const key = JSON.stringify(own === "none" ? outside : [ctx.cwd, ...outside]);
  let seen = settingsSeen.get(key);
  if (!seen) {
    seen = runGit(ctx, ["config", "--get-regexp", GIT_SETTINGS], { okExitCodes: [0, 1] }).then((out) => out.exitCode === 0);
    seen.catch(() => settingsSeen.delete(key));
    settingsSeen.set(key, seen);
    if (settingsSeen.size > SETTINGS_KEPT) settingsSeen.delete(settingsSeen.keys().next().value as string);
  }
  return seen;
}

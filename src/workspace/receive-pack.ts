/**
 * Git's push protocol over smart HTTP, spoken from this process: the
 * remote's refs (`GET info/refs?service=git-receive-pack`) and one request
 * with the ref updates and their pack (`POST git-receive-pack`), answered by
 * the remote's report of each ref. Protocol version 0/1 as git itself pushes,
 * without side-band: nothing is asked of the remote but `report-status`
 * (and `delete-refs`, `ofs-delta` when they are used).
 */
import { bufferedFetch } from "../http/buffered-fetch.js";

/** The id git writes for "no object": a ref that does not exist yet, or no longer. */
export function zeroId(hexLength: number): string {
  return "0".repeat(hexLength);
}

/** One pkt-line: four hex digits of length (themselves included), then the payload. */
export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  if (body.length + 4 > 65520) throw new ReceivePackError(`a pkt-line of ${body.length} bytes is longer than the protocol allows`);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0"), "ascii"), body]);
}

export const FLUSH_PKT = Buffer.from("0000", "ascii");

/** The pkt-lines of `data` up to its first flush: payloads, and where the flush ended (`data.length` when there was none). */
export function readPktLines(data: Buffer, from = 0): { lines: Buffer[]; end: number; flushed: boolean } {
  const lines: Buffer[] = [];
  let at = from;
  while (at < data.length) {
    if (at + 4 > data.length) throw new ReceivePackError("the remote's answer ends inside a pkt-line header");
    const digits = data.toString("latin1", at, at + 4);
    if (!/^[0-9a-f]{4}$/i.test(digits)) throw new ReceivePackError(`the remote's answer is not in pkt-lines (${JSON.stringify(digits)})`);
    const length = Number.parseInt(digits, 16);
    if (length === 0) return { lines, end: at + 4, flushed: true };
    if (length < 4 || at + length > data.length) throw new ReceivePackError("the remote's answer has a pkt-line cut short");
    lines.push(data.subarray(at + 4, at + length));
    at += length;
  }
  return { lines, end: at, flushed: false };
}

/** What the remote said before the push: its refs (full name → id) and what it can do. */
export interface Advertisement {
  refs: Map<string, string>;
  capabilities: Set<string>;
  /** Hex digits of the remote's object ids (40 for SHA-1). */
  hexLength: number;
}

/** Parses the body of `GET info/refs?service=git-receive-pack`. */
export function parseAdvertisement(body: Buffer): Advertisement {
  const head = readPktLines(body);
  const service = head.lines[0]?.toString("utf8").trimEnd();
  if (service !== "# service=git-receive-pack" || !head.flushed) throw new ReceivePackError("the remote did not answer as a smart HTTP git server for git-receive-pack");
  const { lines, flushed } = readPktLines(body, head.end);
  if (!flushed) throw new ReceivePackError("the remote's list of refs ends without a flush");
  const refs = new Map<string, string>();
  const capabilities = new Set<string>();
  let hexLength = 40;
  lines.forEach((raw, index) => {
    let line = raw.toString("utf8");
    if (index === 0) {
      const nul = line.indexOf("\0");
      if (nul < 0) throw new ReceivePackError("the remote's first ref carries no capabilities");
      for (const capability of line.slice(nul + 1).trim().split(" ")) if (capability !== "") capabilities.add(capability);
      line = line.slice(0, nul);
    }
    const match = /^([0-9a-f]{40}|[0-9a-f]{64}) (\S+)\n?$/.exec(line);
    if (!match) throw new ReceivePackError(`the remote advertised a malformed ref line ${JSON.stringify(line.slice(0, 120))}`);
    const [, id = "", name = ""] = match;
    hexLength = id.length;
    // An empty repository advertises only its capabilities, under this name.
    if (name !== "capabilities^{}") refs.set(name, id);
  });
  if (lines.length === 0) throw new ReceivePackError("the remote advertised no capabilities");
  return { refs, capabilities, hexLength };
}

/** One ref update sent to the remote. */
export interface RefCommand {
  ref: string;
  /** The remote's id now (`zeroId` when it has no such ref). */
  old: string;
  /** The id it should hold (`zeroId` to delete it). */
  next: string;
}

/** The request body: the commands (capabilities on the first), a flush, then the pack when one is sent. */
export function receivePackRequest(commands: readonly RefCommand[], capabilities: readonly string[], pack: Buffer | null): Buffer {
  const parts = commands.map((command, index) => pktLine(`${command.old} ${command.next} ${command.ref}${index === 0 ? `\0${capabilities.join(" ")}` : ""}\n`));
  return Buffer.concat([...parts, FLUSH_PKT, ...(pack ? [pack] : [])]);
}

/** The remote's report: whether it could unpack, and each ref's outcome (`null` for ok, else its reason). */
export interface ReceivePackReport {
  unpack: string;
  refs: Map<string, string | null>;
}

/** Parses a `report-status` answer. */
export function parseReport(body: Buffer): ReceivePackReport {
  const { lines } = readPktLines(body);
  const [first, ...rest] = lines.map((line) => line.toString("utf8").replace(/\n$/, ""));
  if (first === undefined || !first.startsWith("unpack ")) throw new ReceivePackError("the remote's answer to the push has no report of it");
  const refs = new Map<string, string | null>();
  for (const line of rest) {
    const ok = /^ok (\S+)$/.exec(line);
    if (ok) {
      refs.set(ok[1] as string, null);
      continue;
    }
    const ng = /^ng (\S+) (.*)$/.exec(line);
    if (ng) refs.set(ng[1] as string, ng[2] as string);
    else throw new ReceivePackError(`the remote's report has a line dynflow cannot read: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { unpack: first.slice("unpack ".length), refs };
}

/** The push protocol went wrong before the remote reported on the refs: nothing here says what it did. */
export class ReceivePackError extends Error {
  override readonly name = "ReceivePackError";
}

export interface ReceivePackRemote {
  /** The repository's URL, e.g. `https://github.com/o/r.git`. */
  url: string;
  /** The `Authorization` header's value, when there is a token. */
  authorization?: string;
  signal?: AbortSignal;
}

/** How long the remote may take to list its refs, and to take a push. */
const ADVERTISE_TIMEOUT_MS = 60_000;
const RECEIVE_TIMEOUT_MS = 10 * 60_000;
const USER_AGENT = "git/dynflow";

/** Asks the remote for its refs and capabilities. */
export async function advertiseRefs(remote: ReceivePackRemote): Promise<Advertisement> {
  const response = await request(remote, `${base(remote.url)}/info/refs?service=git-receive-pack`, { method: "GET", timeoutMs: ADVERTISE_TIMEOUT_MS });
  if (!response.type.startsWith("application/x-git-receive-pack-advertisement")) {
    throw new ReceivePackError(`the remote answered the ref listing with ${JSON.stringify(response.type)}, not git's smart HTTP`);
  }
  return parseAdvertisement(response.body);
}

/** Sends the commands and their pack; resolves with the remote's report. */
export async function sendReceivePack(remote: ReceivePackRemote, body: Buffer): Promise<ReceivePackReport> {
  const response = await request(remote, `${base(remote.url)}/git-receive-pack`, {
    method: "POST",
    timeoutMs: RECEIVE_TIMEOUT_MS,
    body,
    headers: { "content-type": "application/x-git-receive-pack-request", accept: "application/x-git-receive-pack-result" },
  });
  if (!response.type.startsWith("application/x-git-receive-pack-result")) throw new ReceivePackError(`the remote answered the push with ${JSON.stringify(response.type)}`);
  return parseReport(response.body);
}

function base(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * One request through `bufferedFetch` (node's `http`, its whole answer read).
 * Only a 200 is an answer: a redirect is git's to follow
 * (`http.followRedirects`), with its rules for credentials.
 */
async function request(
  remote: ReceivePackRemote,
  url: string,
  init: { method: string; timeoutMs: number; body?: Buffer; headers?: Record<string, string> },
): Promise<{ type: string; body: Buffer }> {
  const target = new URL(url);
  const signal = remote.signal ? AbortSignal.any([remote.signal, AbortSignal.timeout(init.timeoutMs)]) : AbortSignal.timeout(init.timeoutMs);
  // A body's length goes as Content-Length: node sets it for a body written whole.
  const headers: Record<string, string> = { "user-agent": USER_AGENT, ...(remote.authorization ? { authorization: remote.authorization } : {}), ...init.headers };
  let response: Response;
  try {
    response = await bufferedFetch(target, { method: init.method, headers, body: init.body, signal, redirect: "manual" });
  } catch (error) {
    // The socket's own words when there are some ("connect ECONNREFUSED ..."), not fetch's "fetch failed".
    const cause = error instanceof TypeError && error.cause instanceof Error ? error.cause : error;
    throw new ReceivePackError(`${init.method} ${target.pathname} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause: error });
  }
  if (response.status !== 200) throw new ReceivePackError(`the remote answered ${init.method} ${target.pathname} with HTTP ${response.status}`);
  return { type: response.headers.get("content-type") ?? "", body: Buffer.from(await response.arrayBuffer()) };
}

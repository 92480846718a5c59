/**
 * A `fetch` for APIs whose answers arrive whole (the Messages API without
 * streaming, GitHub's REST API, a push's smart HTTP requests): node's own
 * `http`/`https` with kept-alive connections, the body read into one buffer,
 * and a standard `Response` made from it.
 *
 * The global fetch moves every request and response through web streams; for
 * a request of a few kilobytes answered by a few kilobytes that machinery
 * costs more of the event loop than the bytes do (about half of a call's
 * client-side CPU, `npm run bench -- migration`). What it keeps of fetch: an
 * `AbortSignal` stops the request at any point with an `AbortError` (the SDK's
 * timeouts and cancellation rely on it); a failed connection rejects with a
 * `TypeError` whose `cause` is the socket's error, as fetch does; redirects
 * are followed as fetch follows them (`redirect: "manual"` and `"error"`
 * too), credentials dropped when one leaves the origin; a body encoded with
 * gzip, deflate or br is decoded; with `NODE_USE_ENV_PROXY=1` requests go
 * through the environment's proxy, as node's fetch then sends them. What it
 * leaves out: a request body must be a string or bytes, and a body longer
 * than `maxBodyBytes` fails the request instead of being held in memory. For
 * streamed answers, keep the global fetch.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

export interface BufferedFetchOptions {
  /** Longest response body accepted, in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** How long an idle kept-alive connection stays open, in ms. Default 4000 (as the global fetch). */
  idleMs?: number;
  /** Where `NODE_USE_ENV_PROXY` and the proxy variables are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether node sends its global fetch and agents through the proxy the
 * environment names (`NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, node 24.5
 * and later): then these pools do too, as the global fetch would.
 */
function usesEnvProxy(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_USE_ENV_PROXY === "1" || process.execArgv.includes("--use-env-proxy") || /(^|\s)--use-env-proxy(\s|$)/.test(env.NODE_OPTIONS ?? "");
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** One process-wide instance, so every client shares its kept-alive connections. */
export const bufferedFetch: typeof globalThis.fetch = createBufferedFetch();

/** Creates a fetch with its own connection pools; see the module's comment for what it keeps of fetch. */
export function createBufferedFetch(options: BufferedFetchOptions = {}): typeof globalThis.fetch {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // `timeout` closes a connection left idle in the pool; on a connection in use it only emits an event.
  const env = options.env ?? process.env;
  const pool = { keepAlive: true, timeout: options.idleMs ?? 4000, ...(usesEnvProxy(env) ? { proxyEnv: env } : {}) };
  const http = new HttpAgent(pool);
  const https = new HttpsAgent(pool);

  return async function bufferedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (input instanceof Request) throw new TypeError("bufferedFetch takes a URL and options, not a Request");
    let url = httpUrl(input);
    let method = (init.method ?? "GET").toUpperCase();
    let body = requestBody(init.body);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const signal = init.signal ?? undefined;
    const follow = init.redirect ?? "follow";

    for (let redirects = 0; ; redirects += 1) {
      signal?.throwIfAborted();
      const response = await send(url, method, headers, body, signal);
      const status = response.statusCode ?? 0;
      const location = REDIRECTS.has(status) ? response.headers.location : undefined;
      if (location !== undefined && follow !== "manual") {
        // The redirect's body is read to its end and dropped, so its connection goes back to the pool.
        await readBody(response, maxBodyBytes, signal);
        if (follow === "error") throw new TypeError(`fetch failed: ${where(url)} redirects and redirect is "error"`);
        if (redirects === MAX_REDIRECTS) throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects from ${where(httpUrl(input))}`);
        const next = httpUrl(new URL(location, url));
        // As fetch does: a 303, or a 301/302 after a POST, becomes a GET without the body.
        if (status === 303 ? method !== "GET" && method !== "HEAD" : status !== 307 && status !== 308 && method === "POST") {
          method = "GET";
          body = undefined;
          for (const name of BODY_HEADERS) delete headers[name];
        }
        // Credentials stay with the origin they were given for.
        if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
        url = next;
        continue;
      }
      const bytes = await readBody(response, maxBodyBytes, signal);
      const responseHeaders = new Headers();
      const raw = response.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] as string, raw[i + 1] as string);
      const decoded = decode(bytes, responseHeaders, maxBodyBytes);
      // A 1xx, 204 or 304 response has no body, and `Response` refuses one for them.
      const empty = status === 204 || status === 304 || status < 200;
      const result = new Response(empty ? null : decoded, { status, statusText: response.statusMessage ?? "", headers: responseHeaders });
      // What fetch's own responses say: where the answer came from, and whether it took a redirect to get there.
      Object.defineProperties(result, { url: { value: url.href }, redirected: { value: redirects > 0 } });
      return result;
    }
  };

  function send(url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const secure = url.protocol === "https:";
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? https : http, signal }, resolve);
      req.once("error", (error) => reject(failure(signal, "fetch failed", error)));
      req.end(body);
    });
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "host"];

function httpUrl(input: string | URL): URL {
  const url = new URL(input);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`bufferedFetch cannot fetch ${url.protocol} URLs`);
  // As fetch refuses them: credentials belong in a header, not in a URL that errors and logs repeat.
  if (url.username !== "" || url.password !== "") throw new TypeError("bufferedFetch cannot fetch a URL that includes credentials");
  return url;
}

/** A URL as errors name it: without its query, which may carry a signature. */
function where(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function requestBody(body: RequestInit["body"]): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("bufferedFetch sends a string or bytes; use the global fetch for a streamed body");
}

function readBody(response: IncomingMessage, maxBodyBytes: number, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    response.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBodyBytes) {
        response.destroy();
        reject(new TypeError(`fetch failed: the response body is longer than ${maxBodyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)));
    response.once("error", (error) => reject(failure(signal, "fetch failed", error)));
    // A connection closed before the body's end emits neither `end` nor, on every version, `error`.
    response.once("close", () => {
      if (!response.complete) reject(failure(signal, "fetch failed: the connection closed before the response's end"));
    });
  });
}

function decode(bytes: Buffer, headers: Headers, maxBodyBytes: number): Buffer {
  const encodings = (headers.get("content-encoding") ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  if (encodings.length === 0) return bytes;
  let decoded = bytes;
  // The limit holds for the decoded body too: a small compressed body may unfold into gigabytes.
  const limit = { maxOutputLength: maxBodyBytes };
  // Codings are listed in the order they were applied; undo them from the last.
  for (const coding of encodings.reverse()) {
    try {
      if (coding === "gzip" || coding === "x-gzip") decoded = gunzipSync(decoded, limit);
      else if (coding === "deflate") decoded = inflateSync(decoded, limit);
      else if (coding === "br") decoded = brotliDecompressSync(decoded, limit);
      else throw new TypeError(`fetch failed: unknown content-encoding ${coding}`);
    } catch (error) {
      if (error instanceof TypeError) throw error;
      const tooLong = error instanceof RangeError || (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
      throw new TypeError(tooLong ? `fetch failed: the decoded response body is longer than ${maxBodyBytes} bytes` : `fetch failed: the ${coding} body could not be decoded`, { cause: error });
    }
  }
  // The headers now describe the decoded body, as fetch's do not promise but its readers expect.
  headers.delete("content-encoding");
  headers.delete("content-length");
  return decoded;
}

/**
 * What fetch rejects with when the request fails: once its signal aborted, the
 * signal's reason (an `AbortError` unless the aborter gave one); else a `TypeError`.
 */
function failure(signal: AbortSignal | undefined, message: string, cause?: unknown): unknown {
  if (signal?.aborted) return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
  return cause === undefined ? new TypeError(message) : new TypeError(message, { cause });
}

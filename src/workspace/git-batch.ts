/**
 * A long-lived git process answering requests in order (`cat-file --batch`,
 * `hash-object --stdin-paths`, `diff-tree --stdin`, `update-ref --stdin`). Process start-up dominates the
 * cost of small git operations, so reads and object writes share one process
 * per repository. Requests from concurrent callers are written whole and
 * answered first-in first-out.
 */
import type { GitChild } from "./git-launcher.js";
import { gitFailure, startGit, type GitContext } from "./run-git.js";

/** A parsed response and the bytes it used, or how many bytes are needed before trying again. */
export type ParseResult<T> = { value: T; used: number } | { need: number };

/** Reads one response from the front of the output buffer. */
export type ResponseParser<T> = (buffer: Buffer) => ParseResult<T>;

interface Pending {
  parse: ResponseParser<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One text line (without its newline). */
export const parseLine: ResponseParser<string> = (buffer) => {
  const end = buffer.indexOf(10);
  if (end < 0) return { need: buffer.length + 1 };
  return { value: buffer.toString("utf8", 0, end), used: end + 1 };
};

/** An object as `cat-file --batch` prints it. */
/** `count` lines, as one response (the last line's text). */
export function parseLines(count: number): ResponseParser<string> {
  return (buffer) => {
    let end = -1;
    for (let i = 0; i < count; i++) {
      end = buffer.indexOf(0x0a, end + 1);
      if (end < 0) return { need: buffer.length + 1 };
    }
    const start = buffer.lastIndexOf(0x0a, end - 1) + 1;
    return { value: buffer.subarray(start, end).toString("utf8"), used: end + 1 };
  };
}

/**
 * The line `diff-tree --stdin` ends each answer with: it echoes a line that
 * is not an object id, and no line of a patch starts with `#`.
 */
export const DIFF_END = "#dynflow-diff-end";

/**
 * One `diff-tree --stdin` answer to "<tree> <tree>\n" followed by
 * `DIFF_END`: git's echo of the two ids, the patch, then the marker. The
 * value is the patch; null when git printed nothing for the two trees (it
 * could not read one), only the marker.
 */
export function parseDiffAnswer(): ResponseParser<string | null> {
  const marker = Buffer.from(`\n${DIFF_END}\n`);
  const alone = marker.subarray(1);
  // Where to look next: a long patch comes in many chunks, and each is searched once.
  let from = 0;
  return (buffer) => {
    const echoEnd = buffer.indexOf(10);
    if (echoEnd < 0) return { need: buffer.length + 1 };
    if (echoEnd === alone.length - 1 && buffer.subarray(0, alone.length).equals(alone)) return { value: null, used: alone.length };
    const at = buffer.indexOf(marker, Math.max(from, echoEnd));
    if (at < 0) {
      from = Math.max(echoEnd, buffer.length - marker.length + 1);
      return { need: buffer.length + 1 };
    }
    return { value: buffer.toString("utf8", echoEnd + 1, at + 1), used: at + marker.length };
  };
}

export interface GitObject {
  oid: string;
  type: string;
  content: Buffer;
}

/** One `cat-file --batch` answer; null when the object is missing. */
export const parseCatFile: ResponseParser<GitObject | null> = (buffer) => {
  const end = buffer.indexOf(10);
  if (end < 0) return { need: buffer.length + 1 };
  const header = buffer.toString("utf8", 0, end).split(" ");
  if (header.length !== 3) return { value: null, used: end + 1 };
  const size = Number(header[2]);
  const total = end + 1 + size + 1;
  if (buffer.length < total) return { need: total };
  return { value: { oid: header[0] ?? "", type: header[1] ?? "", content: Buffer.from(buffer.subarray(end + 1, end + 1 + size)) }, used: total };
};

/** Output buffer kept between answers; a bigger one, grown by a long answer, is dropped once it is parsed. */
const RETAINED_BUFFER = 1024 * 1024;

/** One long-lived git process; started on first request, restarted after a crash. */
export class GitBatch {
  private child: GitChild | undefined;
  private pending: Pending[] = [];
  /** Output not yet parsed: `buffer[readAt, writeAt)`, grown by doubling so a long answer is not copied once per chunk. */
  private buffer = Buffer.alloc(0);
  private readAt = 0;
  private writeAt = 0;
  private need = 1;
  private corked = false;
  private stderr = "";
  private closed = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: () => GitContext,
    private readonly args: readonly string[],
  ) {}

  /** Sends one request and resolves with its parsed response. */
  request<T>(input: string | Buffer, parse: ResponseParser<T>): Promise<T> {
    if (this.closed) return Promise.reject(gitFailure(this.context(), this.args, null, "process closed"));
    const child = this.child ?? this.start();
    // Requests made in the same tick (a search reading hundreds of objects) reach git in one write.
    if (!this.corked) {
      this.corked = true;
      child.stdin.cork();
      process.nextTick(() => {
        this.corked = false;
        child.stdin.uncork();
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ parse, resolve: resolve as (value: unknown) => void, reject });
      child.stdin.write(input);
    });
  }

  /** Starts the process now, ahead of its first request, unless it runs already or was closed. */
  warm(): void {
    if (!this.closed && this.child === undefined) this.start();
  }

  /** Lets the process finish what it was asked, then ends it. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  private start(): GitChild {
    const ctx = this.context();
    const child = startGit(ctx, this.args);
    this.child = child;
    this.stderr = "";
    child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      if (this.stderr.length < 16_384) this.stderr += chunk.toString("utf8");
    });
    child.stdin.on("error", () => undefined);
    let startError: unknown;
    child.on("error", (error) => {
      startError = error;
    });
    this.exited = new Promise((resolve) => {
      child.on("close", (code) => {
        if (this.child === child) this.child = undefined;
        const failure = gitFailure(ctx, this.args, code, this.stderr || "process exited", startError);
        for (const p of this.pending.splice(0)) p.reject(failure);
        this.release();
        this.need = 1;
        resolve();
      });
    });
    return child;
  }

  private receive(chunk: Buffer): void {
    this.append(chunk);
    while (this.pending.length > 0 && this.writeAt - this.readAt >= this.need) {
      const head = this.pending[0] as Pending;
      // Parsers copy what they keep: the buffer is reused.
      const result = head.parse(this.buffer.subarray(this.readAt, this.writeAt));
      if ("need" in result) {
        this.need = result.need;
        return;
      }
      this.pending.shift();
      this.readAt += result.used;
      if (this.readAt === this.writeAt) this.release();
      this.need = 1;
      head.resolve(result.value);
    }
  }

  /** Everything was parsed: start over at the front, and let go of a buffer a long answer grew. */
  private release(): void {
    this.readAt = 0;
    this.writeAt = 0;
    if (this.buffer.length > RETAINED_BUFFER) this.buffer = Buffer.alloc(0);
  }

  private append(chunk: Buffer): void {
    if (this.writeAt + chunk.length > this.buffer.length) {
      const size = this.writeAt - this.readAt;
      const target = size + chunk.length <= this.buffer.length ? this.buffer : Buffer.allocUnsafe(Math.max(2 * this.buffer.length, size + chunk.length, 65_536));
      this.buffer.copy(target, 0, this.readAt, this.writeAt);
      this.buffer = target;
      this.readAt = 0;
      this.writeAt = size;
    }
    chunk.copy(this.buffer, this.writeAt);
    this.writeAt += chunk.length;
  }
}

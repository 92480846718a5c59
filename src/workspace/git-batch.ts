/**
 * A long-lived git process answering requests in order (`cat-file --batch`,
 * `hash-object --stdin-paths`, `mktree --batch`). Process start-up dominates the
 * cost of small git operations, so reads and object writes share one process
 * per repository. Requests from concurrent callers are written whole and
 * answered first-in first-out.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
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

/** One long-lived git process; started on first request, restarted after a crash. */
export class GitBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private length = 0;
  private need = 1;
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
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ parse, resolve: resolve as (value: unknown) => void, reject });
      child.stdin.write(input);
    });
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

  private start(): ChildProcessWithoutNullStreams {
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
        this.chunks = [];
        this.length = 0;
        this.need = 1;
        resolve();
      });
    });
    return child;
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.pending.length > 0 && this.length >= this.need) {
      const buffer = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
      this.chunks = [buffer];
      const head = this.pending[0] as Pending;
      const result = head.parse(buffer);
      if ("need" in result) {
        this.need = result.need;
        return;
      }
      this.pending.shift();
      const rest = buffer.subarray(result.used);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      this.need = 1;
      head.resolve(result.value);
    }
  }
}

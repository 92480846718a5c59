/**
 * `dynflow ui`: the dashboard for a repository's local runs, served on this
 * machine's loopback address with no sign-in. Runs executing in another
 * terminal update live; cancel and stop reach them through the local store.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino, type Logger } from "pino";
import { createDashboardHandler } from "../dashboard/create-dashboard-handler.js";
import { BASE } from "../dashboard/render/render-pages.js";
import { DynflowError } from "../errors.js";
import { findGitDir } from "../local-runs/find-git-dir.js";
import { localStorePath, openLocalStore } from "../local-runs/open-local-store.js";
import { intFlag, UsageError, type CliIo } from "./cli-io.js";

/** Where `dynflow ui` listens unless told otherwise. */
export const DEFAULT_UI_PORT = 4310;

export const UI_USAGE = `Usage: dynflow ui [--repo <path>] [--port N]

Serves the dashboard for the repository's local runs at http://127.0.0.1:<port>/dashboard/,
with no sign-in: it listens on the loopback address only, and answers only to 127.0.0.1,
localhost and [::1]. A run executing in another terminal updates live; cancel a run or
stop one agent from its page. Stops on Ctrl-C.

Options:
  --repo PATH   the git repository (default: the current directory)
  --port N      the port (default ${DEFAULT_UI_PORT}; 0 picks a free one)
`;

/** The port was taken, or the address could not be listened on. */
export class UiListenError extends DynflowError {
  declare readonly code: "ui_listen";

  constructor(
    readonly port: number,
    cause: unknown,
  ) {
    const taken = (cause as NodeJS.ErrnoException).code === "EADDRINUSE";
    super("ui_listen", taken ? `port ${port} is in use; pick another with --port (0 picks a free one)` : `could not listen on 127.0.0.1:${port}: ${(cause as Error).message}`, { cause });
  }
}

/** Injected by tests; the defaults are the real process's. */
export interface UiCommandDeps {
  /** Resolves when the server should stop (default: the first SIGINT or SIGTERM). */
  untilStopped?: () => Promise<unknown>;
  /** Called with the dashboard's address once it listens. */
  onReady?: (url: string) => void;
  log?: Logger;
}

export async function uiCommand(argv: string[], io: CliIo, deps: UiCommandDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { repo: { type: "string" }, port: { type: "string" } } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; the repository goes in --repo`);
  const port = intFlag("port", values.port, 0, 65_535) ?? DEFAULT_UI_PORT;
  const repoDir = resolve(io.cwd, values.repo ?? ".");
  const gitDir = await findGitDir(repoDir, io.env as NodeJS.ProcessEnv);
  if (gitDir === null) throw new UsageError(`${repoDir} is not in a git repository; give one with --repo`);

  const log = deps.log ?? pino({ level: "warn" }, pino.destination(2));
  const store = await openLocalStore(gitDir);
  const server = createServer();
  try {
    const handler = createDashboardHandler({ store, mode: { kind: "local" }, log });
    server.on("request", (req, res) => {
      void handler(req, res).then((handled) => {
        if (handled) return;
        // Everything is under /dashboard/; the bare address leads there.
        res.writeHead(req.url === "/" ? 302 : 404, req.url === "/" ? { location: `${BASE}/` } : { "content-type": "text/plain; charset=utf-8" });
        res.end(req.url === "/" ? undefined : "Not found: the dashboard is at /dashboard/\n");
      });
    });
    const address = await listen(server, port);
    const url = `http://127.0.0.1:${address.port}${BASE}/`;
    io.stderr(`dynflow ui: the runs of ${repoDir} at ${url} (local store ${localStorePath(gitDir)}); Ctrl-C stops it\n`);
    deps.onReady?.(url);
    await (deps.untilStopped ?? untilSignal)();
    return 0;
  } finally {
    // Live pages hold their event streams open; they are cut rather than waited for.
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await store.close();
  }
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    const failed = (error: Error) => reject(new UiListenError(port, error));
    server.once("error", failed);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", failed);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

function untilSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolveSignal(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

/**
 * The program of the git launcher (see git-launcher.ts), run as `node -e`
 * with the path of its parent's socket as its one argument: a small process
 * that starts git processes for a big one. Starting a process forks its
 * parent, and a fork costs in proportion to the parent's memory: the kernel
 * copies its page tables, and every page the parent writes afterwards takes a
 * fault. This process stays small, so its forks stay cheap.
 *
 * For each `spawn` message it opens three connections to the parent's socket,
 * writes `<id> <fd>\n` on each, starts git with the three as its stdin,
 * stdout and stderr, and closes its own ends: git's input and output then go
 * to the parent directly, never through here. It reports `spawned`, `error`
 * and `exit`, and passes on `kill`. It never reads what the connections
 * carry, and it has no environment of its own: each git gets the one its
 * message names. When the parent goes, it stops its git processes and exits.
 *
 * Plain CommonJS, no dependency: it runs without the parent's loader.
 */
export const GIT_LAUNCHER_PROGRAM = String.raw`
"use strict";
const net = require("node:net");
const { spawn } = require("node:child_process");
const socketPath = process.argv[1];
const children = new Map();
const kills = new Map();
function send(message) {
  if (process.connected) process.send(message);
}
function describe(error) {
  return { message: String(error && error.message), code: error && error.code, errno: error && error.errno, syscall: error && error.syscall, path: error && error.path };
}
function connect(header) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    // Never read here: what the parent writes is git's input.
    socket.pause();
    socket.once("error", reject);
    socket.once("connect", () => socket.write(header, (error) => (error ? reject(error) : resolve(socket))));
  });
}
async function launch(message) {
  const settled = await Promise.allSettled([0, 1, 2].map((fd) => connect(message.id + " " + fd + "\n")));
  const streams = settled.filter((s) => s.status === "fulfilled").map((s) => s.value);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    kills.delete(message.id);
    for (const stream of streams) stream.destroy();
    send({ t: "error", id: message.id, error: describe(failed.reason) });
    return;
  }
  let child;
  try {
    child = spawn(message.file, message.args, { cwd: message.cwd, env: message.env, stdio: streams });
  } catch (error) {
    kills.delete(message.id);
    for (const stream of streams) stream.destroy();
    send({ t: "error", id: message.id, error: describe(error) });
    return;
  }
  for (const stream of streams) stream.destroy();
  child.on("error", (error) => send({ t: "error", id: message.id, error: describe(error) }));
  child.on("exit", (code, signal) => {
    children.delete(message.id);
    send({ t: "exit", id: message.id, code, signal });
  });
  if (child.pid === undefined) {
    kills.delete(message.id);
    return;
  }
  children.set(message.id, child);
  send({ t: "spawned", id: message.id, pid: child.pid });
  const signal = kills.get(message.id);
  kills.delete(message.id);
  if (signal) child.kill(signal);
}
process.on("message", (message) => {
  if (message.t === "spawn") void launch(message);
  else if (message.t === "kill") {
    const child = children.get(message.id);
    if (child) child.kill(message.signal);
    else {
      // A kill that crossed its process's exit is forgotten in time.
      kills.set(message.id, message.signal);
      if (kills.size > 1024) kills.delete(kills.keys().next().value);
    }
  }
});
process.on("disconnect", () => {
  for (const child of children.values()) child.kill("SIGTERM");
  process.exit(0);
});
`;

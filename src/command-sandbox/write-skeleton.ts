/**
 * The sandbox's root file system, written once per run: the mount points
 * (/work, /proc, /usr, the device files), symbolic links like the host's
 * (/bin -> usr/bin), /tmp and $HOME, and copies of the few /etc files
 * programs need (users, hosts, DNS, certificates, the dynamic linker's
 * cache). Each command mounts it as the lower layer of its root, so a
 * command costs a handful of mounts, not a tree of them.
 */
import { execFile } from "node:child_process";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Host top-level directories a command may need; a symbolic link is copied, a directory bound read-only. */
const SYSTEM_DIRS = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"];
/** The /etc entries copied into the sandbox. Nothing else of /etc is visible. */
const ETC_ENTRIES = [
  "passwd",
  "group",
  "hosts",
  "nsswitch.conf",
  "resolv.conf",
  "host.conf",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "timezone",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "alternatives",
  "mime.types",
  "protocols",
  "services",
];
/** Device files bound from the host. */
export const DEVICES = ["null", "zero", "random", "urandom"];

/** Writes the skeleton into `dir` (empty); returns the host directories each command binds read-only. */
export async function writeSkeleton(dir: string, hostDirs: readonly string[]): Promise<string[]> {
  const binds: string[] = [];
  for (const name of ["work", "proc", "dev", "etc", "home/sandbox", "tmp", "dev/shm"]) await mkdir(join(dir, name), { recursive: true, mode: 0o755 });
  await Promise.all([chmod(join(dir, "tmp"), 0o1777), chmod(join(dir, "dev/shm"), 0o1777), chmod(join(dir, "home/sandbox"), 0o777)]);
  for (const name of SYSTEM_DIRS) {
    const host = `/${name}`;
    if (!existsSync(host)) continue;
    if (lstatSync(host).isSymbolicLink()) await symlink(readlinkSync(host), join(dir, name));
    else {
      await mkdir(join(dir, name));
      binds.push(host);
    }
  }
  for (const host of hostDirs) {
    if (binds.includes(host) || !existsSync(host)) continue;
    await mkdir(join(dir, host), { recursive: true });
    binds.push(host);
  }
  for (const device of DEVICES) await writeFile(join(dir, "dev", device), "");
  for (const [name, target] of [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"]] as const) {
    await symlink(target, join(dir, "dev", name));
  }
  const etc = ETC_ENTRIES.map((name) => `/etc/${name}`).filter((path) => existsSync(path));
  // -H: a named link is copied as what it points at (resolv.conf is often a link into /run); links inside stay links.
  if (etc.length > 0) await run("cp", ["-rH", ...etc, join(dir, "etc")]);
  return binds;
}

function run(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(program, args, { env: { PATH: "/usr/bin:/bin" } }, (error) => (error ? reject(error) : resolve())),
  );
}

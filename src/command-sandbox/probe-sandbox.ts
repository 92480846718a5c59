/**
 * Whether this host can sandbox commands: once per process, a trivial
 * command in the same namespaces and overlay every command uses. Where it
 * fails the run_command tool and checks are not offered, and the run says why.
 */
import { chown, mkdir, mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { messageOf } from "../errors.js";
import { SANDBOX_UID, spawnSandboxed } from "./spawn-sandboxed.js";
import { BASE_ENV } from "./command-sandbox.js";
import { writeSkeleton } from "./write-skeleton.js";
import { DEFAULT_COMMAND_LIMITS, type SandboxAvailability } from "./types.js";

let probed: Promise<SandboxAvailability> | undefined;

/** The host's answer, probed on first use and remembered. */
export function sandboxAvailability(): Promise<SandboxAvailability> {
  probed ??= probeSandbox();
  return probed;
}

/** Runs the probe now (tests; `sandboxAvailability` remembers its answer). */
export async function probeSandbox(dir: string = tmpdir()): Promise<SandboxAvailability> {
  if (process.platform !== "linux") return { available: false, reason: `commands are sandboxed with Linux namespaces, and this host runs ${process.platform}` };
  const root = await mkdtemp(join(dir, "dynflow-probe-"));
  try {
    await chmod(root, 0o755);
    const lower = join(root, "lower");
    const mountPoint = join(root, "mnt");
    const skeleton = join(root, "skeleton");
    await Promise.all([mkdir(lower), mkdir(mountPoint), mkdir(skeleton)]);
    await writeFile(join(lower, "probe"), "ok\n");
    const binds = await writeSkeleton(skeleton, []);
    const uid = process.getuid?.() === 0 ? SANDBOX_UID : undefined;
    if (uid !== undefined) await Promise.all([root, lower, mountPoint, join(lower, "probe")].map((path) => chown(path, uid, uid)));
    const result = await spawnSandboxed({
      layers: { mountPoint, skeleton, binds, lowerDirs: [lower], upperDir: "", workDir: "", deletions: "" },
      command: "cat /work/probe",
      limits: { ...DEFAULT_COMMAND_LIMITS, timeoutSeconds: 30 },
      env: { ...BASE_ENV },
      uid,
    });
    if (result.exitCode !== 0 || result.output.trim() !== "ok") {
      return { available: false, reason: `a trivial sandboxed command failed (exit ${result.exitCode}): ${result.output.trim().slice(0, 500)}` };
    }
    return { available: true };
  } catch (error) {
    return {
      available: false,
      reason: `commands need unprivileged user namespaces with overlay mounts (unshare and, when running as root, setpriv from util-linux; perl): ${messageOf(error)}`,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

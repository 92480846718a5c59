/**
 * The shell script that builds a command's world inside fresh user, mount,
 * pid (and, unless setup is allowed the network, network) namespaces: a
 * size-bounded tmpfs under an overlay of the run's skeleton as the root, the
 * workspace as an overlay at /work (the agent's changes over the setup's
 * results over the base tree), the host's toolchain read-only, its own
 * /proc, then `pivot_root` so nothing else of the host is reachable, the
 * limits, and the command.
 *
 * It says it is ready on fd 3 just before it runs the command, so a failure
 * of the sandbox itself is never mistaken for the command's.
 */
import { DEVICES } from "./write-skeleton.js";

/** Positional arguments of the script, in order. */
export interface InitArgs {
  /** An empty directory the tmpfs is mounted on. */
  mountPoint: string;
  /** The run's skeleton root (see `writeSkeleton`). */
  skeleton: string;
  /** Host directories bound read-only at the same path (their mount points are in the skeleton). */
  binds: string[];
  /** Overlay lower directories of /work, top first. */
  lowerDirs: string[];
  /** A persistent writable layer of /work (setup); empty: a scratch layer on the tmpfs. */
  upperDir: string;
  workDir: string;
  /** A file of NUL-separated paths to delete from /work; empty: none. */
  deletions: string;
  cpuSeconds: number;
  memoryKb: number;
  processes: number;
  fileKb: number;
  tmpfsKb: number;
  command: string;
}

/** `bash -c` argv for the script: `["-c", script, name, ...args]`. */
export function initArgv(args: InitArgs): string[] {
  return [
    "-c",
    INIT_SCRIPT,
    "dynflow-sandbox",
    args.mountPoint,
    args.skeleton,
    args.binds.join(":"),
    args.lowerDirs.join(":"),
    args.upperDir,
    args.workDir,
    args.deletions,
    `${args.cpuSeconds} ${args.memoryKb} ${args.processes} ${args.fileKb}`,
    String(args.tmpfsKb),
    args.command,
  ];
}

const INIT_SCRIPT = String.raw`
set -eu
fail() { echo "dynflow sandbox: $*" >&2; exit 125; }
mnt=$1 skeleton=$2 binds=$3 lower=$4 upper=$5 work=$6 deletions=$7 limits=$8 tmpsize=$9
shift 9
cmd=$1
mount -t tmpfs -o "size=$tmpsize"k,mode=0755 dynflow-sandbox "$mnt" || fail "cannot mount its tmpfs"
cd "$mnt"
mkdir root rootup rootwork up wk
mount -t overlay overlay -o "lowerdir=$skeleton,upperdir=$mnt/rootup,workdir=$mnt/rootwork" "$mnt/root" || fail "cannot mount its root"
if [ -z "$upper" ]; then upper="$mnt/up"; work="$mnt/wk"; fi
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$mnt/root/work" || fail "cannot mount the workspace overlay"
if [ -n "$deletions" ]; then
  while IFS= read -r -d '' p; do rm -rf -- "$mnt/root/work/$p"; done < "$deletions"
fi
set -f; IFS=:
for d in $binds; do mount --rbind "$d" "$mnt/root$d" || fail "cannot bind $d"; done
unset IFS; set +f
for f in ${DEVICES.join(" ")}; do mount --bind "/dev/$f" "$mnt/root/dev/$f" || fail "cannot bind /dev/$f"; done
mount -t proc proc "$mnt/root/proc" || fail "cannot mount /proc"
cd "$mnt/root"
pivot_root . tmp || fail "cannot pivot_root"
# The old root went over /tmp; lazily unmounting it leaves nothing of the host but the read-only binds.
umount -l /tmp || fail "cannot detach the host's root"
cd /work
unset OLDPWD
set -- $limits
# SIGXCPU at the limit (the hard limit, a second later, would be a bare SIGKILL).
ulimit -St "$1"; ulimit -Ht "$(($1 + 1))"; ulimit -d "$2"; ulimit -u "$3"; ulimit -f "$4"
exec 2>&1
echo ready >&3
exec 3>&-
# Not exec: this shell stays process 1, reaps orphans, and turns a command killed by signal n into exit 128 + n.
/bin/sh -c "$cmd" && exit 0 || exit $?
`;

/**
 * The Perl script that builds a command's world inside fresh user, mount,
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

/** `perl` argv for the script: `["-e", script, "--", ...args]`. */
export function initArgv(args: InitArgs): string[] {
  return [
    "-e",
    INIT_SCRIPT,
    "--",
    process.arch,
    args.mountPoint,
    args.skeleton,
    args.binds.join(":"),
    args.lowerDirs.join(":"),
    args.upperDir,
    args.workDir,
    args.deletions,
    String(args.tmpfsKb),
    DEVICES.join(" "),
    `${args.cpuSeconds} ${args.memoryKb} ${args.processes} ${args.fileKb}`,
    args.command,
  ];
}

/**
 * One Perl process (Perl is part of every Debian base system) makes the
 * mounts as a dozen system calls, `pivot_root`s, sets the limits, and stays
 * process 1 of the namespace while `/bin/sh -c` runs the command: one
 * process instead of a dozen `mount` processes and a shell is most of what
 * keeps a command's overhead small.
 */
const INIT_SCRIPT = String.raw`
use strict;
my ($arch, $mnt, $skel, $binds, $lower, $upper, $work, $del, $tmpkb, $devs) = @ARGV;
my %nr = (x64 => [165, 166, 155], arm64 => [40, 39, 41]);
my $n = $nr{$arch} or die "no mount system call numbers for $arch\n";
my ($MOUNT, $UMOUNT2, $PIVOT) = @$n;
sub mnt {
  my ($src, $tgt, $type, $flags, $data) = @_;
  syscall($MOUNT, $src, $tgt, $type, $flags, defined $data ? $data : 0) == 0 or die "cannot mount $tgt: $!\n";
}
mnt("dynflow-sandbox", $mnt, "tmpfs", 0, "size=" . $tmpkb . "k,mode=0755");
for my $d (qw(root rootup rootwork up wk)) { mkdir("$mnt/$d") or die "cannot make $d: $!\n"; }
my $r = "$mnt/root";
mnt("overlay", $r, "overlay", 0, "lowerdir=$skel,upperdir=$mnt/rootup,workdir=$mnt/rootwork");
if ($upper eq "") { $upper = "$mnt/up"; $work = "$mnt/wk"; }
mnt("overlay", "$r/work", "overlay", 0, "lowerdir=$lower,upperdir=$upper,workdir=$work");
if ($del ne "") {
  require File::Path;
  open(my $fh, "<", $del) or die "cannot read $del: $!\n";
  local $/ = "\0";
  while (my $p = <$fh>) { chomp $p; File::Path::remove_tree("$r/work/$p") if length $p; }
}
for my $d (grep { length } split(/:/, $binds)) { mnt($d, "$r$d", "", 4096 | 16384); }
for my $f (split(/ /, $devs)) { mnt("/dev/$f", "$r/dev/$f", "", 4096); }
mnt("proc", "$r/proc", "proc", 2 | 4 | 8);
chdir($r) or die "cannot enter the new root: $!\n";
# The old root goes over /tmp, and is detached: nothing of the host is left but the read-only binds.
# syscall() needs writable strings.
my ($here, $put, $old) = (".", "tmp", "/tmp");
syscall($PIVOT, $here, $put) == 0 or die "cannot pivot_root: $!\n";
chdir("/");
syscall($UMOUNT2, $old, 2) == 0 or die "cannot detach the host's root: $!\n";

my ($limits, $cmd) = @ARGV[10, 11];
chdir("/work") or die "cannot enter /work: $!\n";
my ($cpu, $mem, $nproc, $fsize) = split(/ /, $limits);
my %setrlimit = (x64 => 160, arm64 => 164);
sub limit {
  my ($resource, $soft, $hard) = @_;
  my $value = pack("QQ", $soft, $hard);
  syscall($setrlimit{$arch}, $resource, $value) == 0 or die "cannot set limit $resource: $!\n";
}
# CPU: SIGXCPU at the limit (the hard limit, a second later, would be a bare SIGKILL); data, processes, file size.
limit(0, $cpu, $cpu + 1);
limit(2, $mem * 1024, $mem * 1024);
limit(6, $nproc, $nproc);
limit(1, $fsize * 1024, $fsize * 1024);
open(STDERR, ">&", \*STDOUT) or die "cannot merge stderr: $!\n";
open(my $ready, ">&=", 3) or die "no control descriptor: $!\n";
print $ready "ready\n";
close($ready);
# This process stays process 1: it reaps orphans, and a command killed by signal n exits 128 + n.
my $child = fork();
die "cannot fork: $!\n" unless defined $child;
if ($child == 0) { exec("/bin/sh", "-c", $cmd) or die "cannot run /bin/sh: $!\n"; }
while ((my $done = wait()) != -1) {
  next unless $done == $child;
  my $status = $?;
  exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
}
exit 125;
`;

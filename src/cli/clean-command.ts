/**
 * `dynflow clean`: deletes the branches local runs leave behind (the result
 * `dynflow/<run-id>` and every worker's `dynflow/<run-id>-work/<slug>-<hash>`)
 * and their reports, keeping the runs the user names or the most recent ones.
 * Only refs and report files go: commits stay reachable from anything else
 * that points at them, and git collects the rest in its own time.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { intFlag, UsageError, type CliIo } from "./cli-io.js";

const exec = promisify(execFile);

export const CLEAN_USAGE = `Usage: dynflow clean --repo <path> [options]

Deletes the local branches of earlier dynflow runs (dynflow/<run-id> and its worker
branches dynflow/<run-id>-work/...) and their reports under <git-dir>/dynflow/runs/.
The branch you have checked out is never deleted.

Options:
  --repo PATH          the git repository (required)
  --keep RUN_ID        keep this run's branches and report (repeatable)
  --keep-last N        keep the N most recent runs (default 0)
  --workers-only       delete only worker branches; keep every run's result branch and report
  --dry-run            list what would be deleted, delete nothing
`;

/** One run's local branches. */
interface RunRefs {
  runId: string;
  result: { ref: string; oid: string } | null;
  workers: { ref: string; oid: string }[];
  /** Newest committer time among its branches (seconds). */
  newest: number;
}

export async function cleanCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: "string" },
      keep: { type: "string", multiple: true, default: [] },
      "keep-last": { type: "string" },
      "workers-only": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  if (values.repo === undefined) throw new UsageError("--repo is required: the path of a local git repository");
  const keepLast = intFlag("keep-last", values["keep-last"], 0) ?? 0;
  const dir = resolve(io.cwd, values.repo);
  const git = (...args: string[]) => exec("git", args, { cwd: dir, env: io.env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 }).then((out) => out.stdout);
  const gitDir = await git("rev-parse", "--absolute-git-dir").then(
    (out) => out.trim(),
    () => {
      throw new UsageError(`--repo ${dir} is not a git repository`);
    },
  );
  const head = await git("symbolic-ref", "-q", "HEAD").then((out) => out.trim(), () => "");

  const runs = groupByRun(await git("for-each-ref", "--format=%(refname) %(objectname) %(committerdate:unix)", "refs/heads/dynflow/"));
  const unknown = values.keep.filter((id) => !runs.some((run) => run.runId === id));
  if (unknown.length > 0) throw new UsageError(`--keep ${unknown.join(", ")}: no such run has branches here`);
  const newestFirst = [...runs].sort((a, b) => b.newest - a.newest);
  const kept = new Set([...values.keep, ...newestFirst.slice(0, keepLast).map((run) => run.runId)]);

  const doomed: { ref: string; oid: string }[] = [];
  const reports: string[] = [];
  for (const run of runs) {
    if (kept.has(run.runId)) continue;
    doomed.push(...run.workers);
    if (!values["workers-only"]) {
      if (run.result) doomed.push(run.result);
      reports.push(run.runId);
    }
  }
  const skipped = doomed.filter((entry) => entry.ref === head);
  const deleting = doomed.filter((entry) => entry.ref !== head);

  const verb = values["dry-run"] ? "would delete" : "deleted";
  if (!values["dry-run"] && deleting.length > 0) {
    // One transaction, each ref only if it still points where it did when listed.
    const input = deleting.map((entry) => `delete ${entry.ref} ${entry.oid}\n`).join("");
    await new Promise<void>((done, fail) => {
      const child = execFile("git", ["update-ref", "--stdin"], { cwd: dir, env: io.env as NodeJS.ProcessEnv }, (error) => (error ? fail(error) : done()));
      child.stdin?.end(input);
    });
    for (const runId of reports) await rm(join(gitDir, "dynflow", "runs", runId), { recursive: true, force: true });
  }
  for (const entry of deleting) io.stdout(`${verb} ${entry.ref.slice("refs/heads/".length)}\n`);
  for (const entry of skipped) io.stderr(`kept ${entry.ref.slice("refs/heads/".length)}: it is checked out\n`);
  const removedRuns = new Set(runs.filter((run) => !kept.has(run.runId)).map((run) => run.runId)).size;
  io.stderr(
    `dynflow clean: ${verb} ${deleting.length} branch${deleting.length === 1 ? "" : "es"} of ${removedRuns} run${removedRuns === 1 ? "" : "s"}` +
      `${kept.size > 0 ? `; kept ${[...kept].sort().join(", ")}` : ""}\n`,
  );
  return 0;
}

/** Groups `refs/heads/dynflow/...` lines by run id. */
function groupByRun(listing: string): RunRefs[] {
  const runs = new Map<string, RunRefs>();
  for (const line of listing.split("\n")) {
    const [ref, oid, time] = line.trim().split(" ");
    if (!ref || !oid) continue;
    const name = ref.slice("refs/heads/dynflow/".length);
    const work = name.indexOf("-work/");
    const runId = work >= 0 ? name.slice(0, work) : name;
    if (runId === "" || runId.includes("/")) continue;
    const run = runs.get(runId) ?? { runId, result: null, workers: [], newest: 0 };
    if (work >= 0) run.workers.push({ ref, oid });
    else run.result = { ref, oid };
    run.newest = Math.max(run.newest, Number(time) || 0);
    runs.set(runId, run);
  }
  return [...runs.values()];
}

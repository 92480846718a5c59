export const meta = {
  name: "migrate",
  description: "Migrate the codebase target by target: each target changed in isolation, refuted by independent agents and redone until it holds",
  phases: [{ title: "Discover" }, { title: "Migrate" }],
}

// A bundled dynflow workflow (see docs/workflows.md), and a template: copy it to .claude/workflows/ and adapt
// the prompts to your migration.
//
// args: the migration, as a string ("move every fetchJson caller to client.get") or
//   { task, targets?: ["src/a.ts", { name, write: [globs] }], by?: "module", rounds?, refuters?, instructions?,
//     checks?: [command names] (default: every command the repository configures), maxTargets?: n (default 200) }
//   Without targets, by: "module" makes every module a target; otherwise an agent finds the targets.
//
// Result: { task, targets: [{ target, write, status, rounds, files, additions, deletions, branch, evidence }],
//           summary: { accepted, refuted, unverified, failed, unchanged, stopped }, skipped }
//   status is converge()'s: accepted | refuted | unverified | failed | unchanged; "stopped" when a cap or the
//   budget kept the target from running.

const options = typeof args === "string" ? { task: args } : args && typeof args === "object" ? args : {}
const task = typeof options.task === "string" ? options.task.trim() : ""
if (!task) throw new Error('migrate: say what to migrate, e.g. args "move every fetchJson caller to client.get" or { "task": "..." }')
const maxTargets = Number.isInteger(options.maxTargets) && options.maxTargets > 0 ? options.maxTargets : 200
const reviewOptions = {}
for (const key of ["rounds", "refuters", "instructions", "checks"]) if (options[key] !== undefined) reviewOptions[key] = options[key]
// The repository's own verdict first: its configured commands (tests, type checks) must pass before refuters look.
if (reviewOptions.checks === undefined) {
  const configured = await repo.checks()
  if (configured.length > 0) reviewOptions.checks = configured
}

const TARGETS = {
  type: "object",
  required: ["targets"],
  additionalProperties: false,
  properties: {
    targets: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "write"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, description: "Short name: the file or the module" },
          write: { type: "array", minItems: 1, items: { type: "string", minLength: 1 }, description: "Globs of the files this target may change" },
          why: { type: "string", description: "What in these files needs the change" },
        },
      },
    },
  },
}

async function discover() {
  if (Array.isArray(options.targets)) {
    return options.targets.map((t) => (typeof t === "string" ? { name: t, write: [t] } : { name: t.name, write: [].concat(t.write || t.name) }))
  }
  if (options.by === "module") return (await repo.modules()).filter((m) => m.files > 0).map((m) => ({ name: m.name, write: m.globs }))
  phase("Discover")
  const found = await agent(
    `List the targets of this migration:\n\n${task}\n\n` +
      "Search the code and list only the places that need the change. A target is a file, or a few files that must change " +
      "together (a module and its tests), that can be migrated on its own: give it a short name and the globs of the files " +
      "it may change. Two targets must never share a file. Do not change any file.",
    { label: "discover targets", schema: TARGETS, write: [] },
  )
  if (!found) throw new Error("migrate: the agent that lists the targets failed; pass args.targets or by: \"module\" to skip it")
  return found.targets
}

// One target per name; later duplicates would fight over the same files.
const names = new Set()
const targets = []
for (const target of await discover()) {
  if (!target || typeof target.name !== "string" || names.has(target.name)) continue
  names.add(target.name)
  targets.push(target)
}
const skipped = targets.splice(maxTargets).map((t) => t.name)
if (skipped.length > 0) log(`migrate: ${targets.length + skipped.length} targets; the first ${maxTargets} run (maxTargets)`)
log(`migrate: ${targets.length} target(s)`)

phase("Migrate")
const outcomes = await parallel(
  targets.map((t) => () =>
    converge(
      `${task}\n\nYour part: ${t.name}. Change only files matching ${t.write.join(", ")}; other parts are migrated ` +
        "separately. Migrate everything in your part completely (callers, imports, types, tests), keep behaviour the same, " +
        "and say in your summary what you changed and anything you could not do.",
      { label: t.name, write: t.write, ...reviewOptions },
    ),
  ),
)

const summary = { accepted: 0, refuted: 0, unverified: 0, failed: 0, unchanged: 0, stopped: 0 }
const results = targets.map((t, i) => {
  const outcome = outcomes[i]
  const change = outcome && outcome.change
  const status = outcome ? outcome.status : "stopped"
  summary[status] += 1
  return {
    target: t.name,
    write: t.write,
    status,
    rounds: outcome ? outcome.rounds : 0,
    files: change ? change.files.map((f) => f.path) : [],
    additions: change ? change.additions : 0,
    deletions: change ? change.deletions : 0,
    branch: change ? change.branch : null,
    evidence: outcome && outcome.review ? outcome.review.evidence : null,
  }
})
return { task, targets: results, summary, skipped }

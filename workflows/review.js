export const meta = {
  name: "review",
  description: "Review every changed file of a pull request and return one ranked list of the findings that survive refutation",
  phases: [{ title: "Discover" }, { title: "Review" }, { title: "Refute" }],
}

// A bundled dynflow workflow (see docs/workflows.md). Copy it to .claude/workflows/ to adapt it.
//
// args: { files: ["src/a.ts", { path, patch }], base?, head?, focus?, description?, refuters?, maxFindings?: n (default 100) }
//   files are the pull request's changed paths (with GitHub's `patch` when you have it). Without files, an agent
//   finds the files the change described by `description` touches. A string is taken as `focus`.
//   The run's base commit is the pull request's head: reviewers read the files as changed.
//
// Result: { findings, refuted, reviewed: { files, failed, base, head }, body }
//   findings  upheld and unverified findings in ONE list, by severity then confidence (verification says which)
//   refuted   how many findings the refuters disproved (left out)
//   body      the list as Markdown, ready for one pull request comment

const options = typeof args === "string" ? { focus: args } : args && typeof args === "object" ? args : {}
const focus = typeof options.focus === "string" && options.focus.trim() ? options.focus.trim() : null
const description = typeof options.description === "string" ? options.description : ""
const range = options.base && options.head ? ` (${options.base}..${options.head})` : ""
const maxFindings = Number.isInteger(options.maxFindings) && options.maxFindings > 0 ? options.maxFindings : 100
const refuteOptions = {
  instructions:
    "The claim is a code review comment on a pull request, about the file as the pull request leaves it. Refute it when " +
    "the code does not have the problem (handled elsewhere, the line is wrong, the concern does not apply). Uphold it " +
    "only when you confirmed the problem in the code.",
}
if (options.refuters !== undefined) refuteOptions.refuters = options.refuters

const SEVERITIES = ["critical", "high", "medium", "low"]
const FINDINGS = {
  type: "object",
  required: ["findings"],
  additionalProperties: false,
  properties: {
    findings: {
      type: "array",
      items: {
        type: "object",
        required: ["title", "path", "line", "severity", "confidence", "evidence"],
        additionalProperties: false,
        properties: {
          title: { type: "string", minLength: 1, description: "One line: what is wrong" },
          path: { type: "string", minLength: 1 },
          line: { type: "integer", minimum: 1 },
          severity: { enum: SEVERITIES },
          confidence: { type: "number", minimum: 0, maximum: 1, description: "How sure you are that this is a real problem" },
          evidence: { type: "string", minLength: 1, description: "The code that shows it, quoted, and why it is wrong" },
          suggestion: { type: "string", description: "How to fix it, briefly" },
        },
      },
    },
  },
}
const FILES = {
  type: "object",
  required: ["files"],
  additionalProperties: false,
  properties: { files: { type: "array", items: { type: "string", minLength: 1 } } },
}

async function changedFiles() {
  if (Array.isArray(options.files)) {
    return options.files
      .map((f) => (typeof f === "string" ? { path: f, patch: null } : { path: f && f.path, patch: (f && f.patch) || null }))
      .filter((f) => typeof f.path === "string" && f.path !== "")
  }
  phase("Discover")
  const found = await agent(
    `List the files that this change touches${range}, as paths from the repository root:\n\n${description || focus || "(no description given)"}\n\n` +
      "Search the code to find them; list only files that exist. Do not change any file.",
    { label: "discover changed files", schema: FILES, write: [] },
  )
  if (!found) throw new Error("review: the agent that lists the changed files failed; pass args.files")
  // An agent may name files that do not exist; keep the tracked ones (an empty listing means there is nothing to check against).
  const tracked = new Set(await repo.files())
  return found.files.filter((path) => tracked.size === 0 || tracked.has(path)).map((path) => ({ path, patch: null }))
}

const seenPaths = new Set()
const files = (await changedFiles()).filter((f) => !seenPaths.has(f.path) && seenPaths.add(f.path))
log(`review: ${files.length} file(s)${range}`)

phase("Review")
const reviews = await parallel(
  files.map((f) => () =>
    agent(
      `Review ${f.path}, changed by a pull request${range}.` +
        (f.patch ? `\n\nThe change to this file:\n\n\`\`\`diff\n${f.patch}\n\`\`\`` : "") +
        (description ? `\n\nWhat the pull request says it does:\n\n${description}` : "") +
        `\n\nLook for ${focus || "bugs, security problems, missing error handling and broken contracts"} in what the change ` +
        "does, reading other files where you need to. Report only concrete problems you can point to (path, line, the code), " +
        "not style preferences; an empty list is the right answer for a sound change. Do not change any file.",
      { label: `review: ${f.path}`, schema: FINDINGS, write: [] },
    ),
  ),
)

const found = []
reviews.forEach((review) => found.push(...(review ? review.findings : [])))
found.sort(byRank)
const checked = found.slice(0, maxFindings)
if (found.length > maxFindings) log(`review: ${found.length} findings; the first ${maxFindings} by rank are checked (maxFindings)`)

phase("Refute")
const verdicts = await parallel(
  checked.map((f) => () =>
    refute({ claim: `${f.path}:${f.line}: ${f.title}. Evidence: ${f.evidence}`, path: f.path, line: f.line, label: `${f.path}:${f.line}` }, refuteOptions),
  ),
)

const findings = []
let refuted = 0
checked.forEach((finding, i) => {
  const verdict = verdicts[i]
  if (verdict && verdict.verdict === "refuted") refuted += 1
  else if (verdict && verdict.verdict === "upheld") findings.push({ ...finding, verification: "upheld" })
  else findings.push({ ...finding, verification: "unverified", reason: verdict ? verdict.evidence : "the refuters could not run" })
})
for (const finding of found.slice(maxFindings)) findings.push({ ...finding, verification: "unverified", reason: "not checked: over maxFindings" })
findings.sort(byRank)

const reviewed = {
  files: files.filter((f, i) => reviews[i]).map((f) => f.path),
  failed: files.filter((f, i) => !reviews[i]).map((f) => f.path),
}
if (options.base) reviewed.base = options.base
if (options.head) reviewed.head = options.head
return { findings, refuted, reviewed, body: render(findings, refuted, reviewed) }

/** Severity first, then confidence; path and line keep the order stable. */
function byRank(a, b) {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    b.confidence - a.confidence ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line
  )
}

function render(list, refutedCount, done) {
  const lines = [`### Review: ${list.length} finding(s) in ${done.files.length} file(s)`, ""]
  if (refutedCount > 0) lines.push(`${refutedCount} more were refuted by independent reviewers and are left out.`, "")
  if (done.failed.length > 0) lines.push(`Not reviewed (the reviewer failed): ${done.failed.map((p) => `\`${p}\``).join(", ")}.`, "")
  list.forEach((f, i) => {
    const mark = f.verification === "upheld" ? "" : " _(unverified)_"
    lines.push(`${i + 1}. **[${f.severity}] ${f.title}**${mark} — \`${f.path}:${f.line}\` (confidence ${Math.round(f.confidence * 100)}%)`)
    lines.push(`   ${f.evidence.split("\n").join("\n   ")}`)
    if (f.suggestion) lines.push(`   Suggestion: ${f.suggestion.split("\n").join("\n   ")}`)
  })
  if (list.length === 0) lines.push("Nothing to report.")
  return lines.join("\n")
}

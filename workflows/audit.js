export const meta = {
  name: "audit",
  description: "Audit every module for one class of problem and report only the findings that survive independent refutation",
  phases: [{ title: "Find" }, { title: "Refute" }],
}

// A bundled dynflow workflow (see docs/workflows.md). Copy it to .claude/workflows/ to adapt it.
//
// args: what to look for, as a string ("missing auth checks on route handlers") or
//   { problem, modules?: [names], refuters?: n, maxFindings?: n (default 100), commit?: "<sha>" }
//
// Result: { problem, findings, unverified, refuted, audited: { modules, failed, commit? } }
//   findings    upheld by the refuters, most severe first (verification: "upheld")
//   unverified  nobody could check them, or over maxFindings (verification: "unverified", with the reason)
//   refuted     how many findings the refuters disproved (left out)

const options = typeof args === "string" ? { problem: args } : args && typeof args === "object" ? args : {}
const problem = typeof options.problem === "string" ? options.problem.trim() : ""
if (!problem) {
  throw new Error('audit: say what to look for, e.g. args "missing auth checks on route handlers" or { "problem": "..." }')
}
const maxFindings = Number.isInteger(options.maxFindings) && options.maxFindings > 0 ? options.maxFindings : 100
const refuteOptions = {
  instructions:
    "The claim is an audit finding, not a change. Refute it when the code at that place does not have the problem " +
    "(the check happens elsewhere: a middleware, a wrapper, a caller; the line is wrong; the code is unreachable). " +
    "Uphold it only when you confirmed the problem in the code.",
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
        required: ["title", "path", "line", "severity", "evidence"],
        additionalProperties: false,
        properties: {
          title: { type: "string", minLength: 1, description: "One line: what is wrong" },
          path: { type: "string", minLength: 1, description: "File path from the repository root" },
          line: { type: "integer", minimum: 1 },
          severity: { enum: SEVERITIES },
          evidence: { type: "string", minLength: 1, description: "The code that shows it, quoted, and why it is an instance of the problem" },
        },
      },
    },
  },
}

let modules = (await repo.modules()).filter((m) => m.files > 0)
if (Array.isArray(options.modules)) modules = modules.filter((m) => options.modules.includes(m.name))
log(`audit: ${modules.length} module(s) for "${problem}"`)

phase("Find")
const scans = await parallel(
  modules.map((m) => () =>
    agent(
      `Audit the module "${m.name}" (files matching ${m.globs.join(", ")}) for this class of problem:\n\n${problem}\n\n` +
        "Read the code and report every concrete instance you can point to: the file, the line, and the code that shows it. " +
        "Leave out style issues, guesses and problems of another kind; an empty list is the right answer for a module that has none. " +
        "Severity: critical (exploitable or losing data as it stands), high, medium, low. Do not change any file.",
      { label: `find: ${m.name}`, schema: FINDINGS, write: [] },
    ),
  ),
)

// Findings in module order, without duplicates, most severe first: the order decides which get checked under maxFindings.
const seen = new Set()
const found = []
scans.forEach((scan, i) => {
  for (const finding of scan ? scan.findings : []) {
    const key = `${finding.path}:${finding.line}:${finding.title.toLowerCase()}`
    if (seen.has(key)) continue
    seen.add(key)
    found.push({ ...finding, module: modules[i].name })
  }
})
found.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
const checked = found.slice(0, maxFindings)
if (found.length > maxFindings) log(`audit: ${found.length} findings; the first ${maxFindings} by severity are checked (maxFindings)`)

phase("Refute")
const reviews = await parallel(
  checked.map((f) => () =>
    refute(
      { claim: `${f.path}:${f.line}: ${f.title}. Evidence: ${f.evidence}\nThis is an instance of: ${problem}`, path: f.path, line: f.line, label: `${f.path}:${f.line}` },
      refuteOptions,
    ),
  ),
)

const findings = []
const unverified = []
let refuted = 0
checked.forEach((finding, i) => {
  const review = reviews[i]
  if (review && review.verdict === "refuted") refuted += 1
  else if (review && review.verdict === "upheld") findings.push({ ...finding, verification: "upheld", verificationEvidence: review.evidence })
  else unverified.push({ ...finding, verification: "unverified", reason: review ? review.evidence : "the refuters could not run" })
})
for (const finding of found.slice(maxFindings)) {
  unverified.push({ ...finding, verification: "unverified", reason: `not checked: over maxFindings (${maxFindings})` })
}

const audited = {
  modules: modules.filter((m, i) => scans[i]).map((m) => m.name),
  failed: modules.filter((m, i) => !scans[i]).map((m) => m.name),
}
if (typeof options.commit === "string") audited.commit = options.commit
return { problem, findings, unverified, refuted, audited }

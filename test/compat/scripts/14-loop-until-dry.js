export const meta = { name: 'find-flaky', description: 'Find flaky tests until two rounds in a row find nothing new' }

const FINDINGS = { type: 'object', required: ['tests'], properties: { tests: { type: 'array', items: { type: 'string', enum: ['a.test', 'b.test', 'c.test', 'd.test'] }, maxItems: 2 } } }
const FINDERS = ['unit', 'integration', 'e2e']
const seen = new Set()
let dry = 0
let round = 0
while (dry < 2 && round < 10) {
  round++
  const found = (await parallel(FINDERS.map(f => () => agent(`Run the ${f} suite and report flaky tests (round ${round}).`, { schema: FINDINGS, label: `${f} r${round}` }))))
    .filter(Boolean).flatMap(r => r.tests)
  const fresh = found.filter(t => !seen.has(t))
  if (fresh.length === 0) { dry++; continue }
  dry = 0
  fresh.forEach(t => seen.add(t))
}
return { rounds: round, flaky: [...seen].sort(), endedDry: dry >= 2 }

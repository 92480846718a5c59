export const meta = {
  name: 'triage-then-fix',
  description: 'Cheap model for triage, strong model for fixes',
  phases: [
    { title: 'Triage', detail: 'classify each failing test', model: 'haiku' },
    { title: 'Fix', detail: 'one agent per real failure', model: 'opus' },
  ],
}

const TESTS = ['auth.test.ts', 'cart.test.ts', 'search.test.ts']
const CLASS = { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['flaky', 'real'] } } }

phase('Triage')
const triaged = await parallel(TESTS.map(t => () => agent(`Classify the failure of ${t}.`, { schema: CLASS, label: t })))

phase('Fix')
const real = TESTS.filter((_, i) => triaged[i]?.kind === 'real')
const fixes = await parallel(real.map(t => () => agent(`Fix the real failure in ${t}.`, { label: `fix ${t}` })))

return { triaged: triaged.length, fixed: fixes.filter(Boolean).length, real: real.length }

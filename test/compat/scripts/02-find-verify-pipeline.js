export const meta = {
  name: 'find-verify',
  description: 'Find bugs per dimension and adversarially verify each finding, no barrier between stages',
  phases: [{ title: 'Find' }, { title: 'Verify' }],
}

const FINDINGS = {
  type: 'object',
  required: ['findings'],
  properties: {
    findings: {
      type: 'array', maxItems: 3,
      items: { type: 'object', required: ['title', 'file', 'severity'], properties: { title: { type: 'string' }, file: { type: 'string' }, severity: { type: 'string', enum: ['low', 'medium', 'high'] } } },
    },
  },
}
const VERDICT = { type: 'object', required: ['isReal'], properties: { isReal: { type: 'boolean' }, reason: { type: 'string' } } }
const DIMENSIONS = [
  { key: 'correctness', prompt: 'Find correctness bugs in src/.' },
  { key: 'security', prompt: 'Find security bugs in src/.' },
  { key: 'concurrency', prompt: 'Find race conditions in src/.' },
]

const results = await pipeline(DIMENSIONS,
  d => agent(d.prompt, { label: `find:${d.key}`, phase: 'Find', schema: FINDINGS }),
  r => parallel(r.findings.map(f => () =>
    agent(`Adversarially verify: ${f.title} in ${f.file}. Try to REFUTE it.`, { phase: 'Verify', schema: VERDICT })
      .then(v => ({ ...f, verdict: v })))))

const all = results.flat().filter(Boolean)
const confirmed = all.filter(f => f.verdict?.isReal)
return { checked: all.length, confirmed: confirmed.length, rejected: all.length - confirmed.length }

export const meta = {
  name: 'judge-panel',
  description: 'Draft a plan from several angles, let judges score them, build on the winner',
  phases: [{ title: 'Draft' }, { title: 'Judge' }, { title: 'Synthesize' }],
}

const ANGLES = ['simplest change', 'safest rollout', 'fastest delivery']
const SCORE = { type: 'object', required: ['score'], properties: { score: { type: 'integer', minimum: 1, maximum: 10 }, why: { type: 'string' } } }

phase('Draft')
const drafts = await parallel(ANGLES.map(a => () => agent(`Draft a migration plan optimising for the ${a}.`, { label: a })))

phase('Judge')
const scored = await parallel(drafts.map((d, i) => async () => {
  const votes = await parallel([1, 2, 3].map(j => () => agent(`Judge ${j}: score this plan from 1 to 10.\n${d}`, { schema: SCORE, label: `${ANGLES[i]} judge ${j}` })))
  const scores = votes.filter(Boolean).map(v => v.score)
  return { angle: ANGLES[i], mean: scores.reduce((a, b) => a + b, 0) / scores.length }
}))

const ranked = scored.filter(Boolean).sort((a, b) => b.mean - a.mean)
phase('Synthesize')
const final = await agent(`Write the final plan from "${ranked[0].angle}", grafting the best of ${ranked.slice(1).map(r => r.angle).join(', ')}.`)
return { winner: ranked[0].angle, ranked: ranked.map(r => r.angle), final: typeof final }

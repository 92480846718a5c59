export const meta = { name: 'majority-refute', description: 'Three skeptics per claim; majority refute kills it' }

const CLAIMS = ['cache key ignores locale', 'retry loop never backs off', 'token compared with ===']
const VOTE = { type: 'object', required: ['verdict'], properties: { verdict: { type: 'string', enum: ['refuted', 'upheld'] } } }
const judged = await parallel(CLAIMS.map(claim => async () => {
  const votes = (await parallel([1, 2, 3].map(k => () => agent(`Skeptic ${k}: try to REFUTE "${claim}".`, { schema: VOTE, label: `${claim} #${k}` })))).filter(Boolean)
  const refuted = votes.filter(v => v.verdict === 'refuted').length
  return { claim, refuted, kept: refuted * 2 < votes.length }
}))
return { kept: judged.filter(j => j.kept).map(j => j.claim), votes: judged.map(j => j.refuted) }

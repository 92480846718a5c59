export const meta = { name: 'typo-type', description: 'A misspelt agent type fails alone; the script goes on' }

const results = await parallel([
  () => agent('Review src/a.ts', { agentType: 'reviewer' }),
  () => agent('Review src/b.ts', { agentType: 'reveiwer' }),
])
const ok = results.filter(Boolean)
log(`${ok.length} of ${results.length} reviews came back`)
return { ok: ok.length, failed: results.length - ok.length }

export const meta = { name: 'rank-findings', description: 'Group findings by severity with modern built-ins and rank them' }

const F = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', minItems: 3, maxItems: 5, items: { type: 'object', required: ['sev', 'title'], properties: { sev: { type: 'string', enum: ['high', 'medium', 'low'] }, title: { type: 'string' } } } } },
}
const found = await agent('List findings with a severity.', { schema: F })
const groups = Object.groupBy(found.items, f => f.sev)
const order = { high: 0, medium: 1, low: 2 }
const ranked = found.items.toSorted((a, b) => order[a.sev] - order[b.sev])
const counts = Object.fromEntries(['high', 'medium', 'low'].map(s => [s, groups[s]?.length ?? 0]))
return { total: found.items.length, counts, sorted: ranked.every((f, i) => i === 0 || order[ranked[i - 1].sev] <= order[f.sev]) }

export const meta = { name: 'dedupe-across', description: 'Barrier: dedupe findings across all finders before verifying' }

const F = { type: 'object', required: ['ids'], properties: { ids: { type: 'array', items: { type: 'string', enum: ['N1', 'N2', 'N3'] }, minItems: 1, maxItems: 3 } } }
const found = await parallel(['api', 'web', 'worker'].map(m => () => agent(`Find N+1 queries in ${m}.`, { schema: F, label: m })))
const distinct = [...new Set(found.filter(Boolean).flatMap(f => f.ids))].sort()
if (distinct.length === 0) return { distinct: [], verified: 0 }
const verified = await parallel(distinct.map(id => () => agent(`Confirm ${id} is a real N+1 query.`, { label: id })))
return { distinct, verified: verified.filter(Boolean).length }

export const meta = {
  name: 'audit-routes',
  description: 'Audit every route handler for missing auth checks',
  phases: [{ title: 'Find' }, { title: 'Audit' }],
}

phase('Find')
const found = await agent('List every .ts file under src/routes/.', {
  schema: { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 } } },
})

phase('Audit')
const audits = await pipeline(found.files, file =>
  agent(`Audit ${file} for missing authentication checks.`, { label: file }),
)

return { files: found.files.length, audited: audits.filter(Boolean).length }

export const meta = { name: 'null-safe', description: 'Handle failed agents with optional chaining and defaults' }

const INFO = { type: 'object', required: ['owner'], properties: { owner: { type: 'string' }, team: { type: 'object', properties: { name: { type: 'string' } } } } }
const modules = ['billing', 'search', 'ghost']
const infos = await parallel(modules.map(m => () => agent(`Who owns ${m}?`, { schema: INFO, label: m, agentType: m === 'ghost' ? 'nobody' : undefined })))
const owners = modules.map((m, i) => ({ module: m, owner: infos[i]?.owner ?? 'unknown', team: infos[i]?.team?.name ?? null }))
let thrown = null
try {
  await agent('', { label: 'empty prompt' })
} catch (error) {
  thrown = error.code ?? error.message
}
return { owners: owners.map(o => o.owner === 'unknown' ? `${o.module}:unknown` : o.module), thrown }

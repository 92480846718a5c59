export const meta = {
  name: 'typed-agents',
  description: 'Custom and built-in agent types composed with schemas',
  phases: [{ title: 'Explore' }, { title: 'Review' }],
}

const MAP = { type: 'object', required: ['modules'], properties: { modules: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 } } }
const REVIEW = { type: 'object', required: ['approve', 'notes'], properties: { approve: { type: 'boolean' }, notes: { type: 'string' } } }

phase('Explore')
const map = await agent('Map the modules of this repository.', { agentType: 'Explore', schema: MAP })

phase('Review')
const reviews = await parallel(map.modules.map(m => () =>
  agent(`Review module ${m} for security holes.`, { agentType: 'reviewer', schema: REVIEW, label: m })))

return { modules: map.modules.length, reviewed: reviews.filter(Boolean).length }

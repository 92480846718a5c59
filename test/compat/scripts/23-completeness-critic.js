export const meta = { name: 'critic-rounds', description: 'A completeness critic turns what is missing into the next round' }

const MISSING = { type: 'object', required: ['missing'], properties: { missing: { type: 'array', items: { type: 'string' }, maxItems: 2 } } }
let todo = ['write the README section']
const done = []
let rounds = 0
for (let round = 1; round <= 3 && todo.length > 0; round++) {
  rounds = round
  const finished = await parallel(todo.map(t => () => agent(t, { label: `r${round}: ${t}` })))
  done.push(...todo.filter((_, i) => finished[i] !== null))
  const critique = await agent(`What is still missing after: ${done.join('; ')}?`, { schema: MISSING, label: `critic ${round}` })
  todo = critique.missing.filter(m => !done.includes(m))
}
return { done: done.length, leftover: todo.length, rounds }

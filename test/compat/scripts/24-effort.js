export const meta = { name: 'effort-levels', description: 'Cheap passes at low effort, the hard one at max' }

const quick = await parallel(['a.ts', 'b.ts'].map(f => () => agent(`Lint ${f}`, { effort: 'low', model: 'haiku' })))
const hard = await agent('Find the root cause of the deadlock in the scheduler.', { effort: 'max', model: 'opus' })
const older = await agent('Explain the lock order.', { effort: 'xhigh', model: 'claude-sonnet-4-6' })
return { quick: quick.filter(Boolean).length, hard: typeof hard, older: typeof older }

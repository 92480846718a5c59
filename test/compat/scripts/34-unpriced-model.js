export const meta = { name: 'unpriced', description: 'A model without a price stops the run before any agent starts' }

const a = await agent('first', { model: 'haiku' })
const b = await agent('second', { model: 'gpt-5-turbo' })
return [a, b]

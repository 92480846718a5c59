export const meta = { name: 'forgot-await', description: 'A common mistake: returning an agent() promise without await' }

const summary = agent('Summarise the changelog.')
const risks = await agent('List the risks of the release.')
return { summary, risks }

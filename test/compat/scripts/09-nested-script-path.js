export const meta = { name: 'with-helper', description: 'Reuse a helper workflow by path' }

const summary = await workflow({ scriptPath: 'helpers/summarise.js' }, { topic: 'release notes', parts: 3 })
return { summary }

export const meta = { name: 'shortcuts', description: 'Every model shortcut a script may name' }

const answers = await parallel([
  () => agent('Summarise README.md', { model: 'haiku' }),
  () => agent('Review the design of src/', { model: 'sonnet' }),
  () => agent('Plan the migration', { model: 'opus' }),
  () => agent('Draft the architecture decision', { model: 'fable' }),
  () => agent('Anything the role would do', { model: 'inherit' }),
  () => agent('Pinned model', { model: 'claude-opus-4-8' }),
])
return answers.map(a => typeof a)

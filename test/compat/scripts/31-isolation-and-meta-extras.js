export const meta = {
  name: 'parallel-edits',
  description: 'Edits in parallel, each in its own copy',
  whenToUse: 'When many files need the same mechanical change',
  phases: [{ title: 'Edit', detail: 'one agent per file' }],
}

phase('Edit')
const files = ['a.ts', 'b.ts', 'c.ts']
const edits = await parallel(files.map(f => () => agent(`Rename fetchJson to http.get in ${f}`, { isolation: 'worktree', label: f })))
return { edited: edits.filter(Boolean).length }

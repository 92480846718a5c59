export const meta = { name: 'chunked', description: 'Batch a long list into chunks so each agent gets several items' }

const files = Array.from({ length: 57 }, (_, i) => `src/gen/file${String(i).padStart(2, '0')}.ts`)
const chunks = []
for (let i = 0; i < files.length; i += 10) chunks.push(files.slice(i, i + 10))
const OUT = { type: 'object', required: ['ok'], properties: { ok: { type: 'integer', minimum: 0, maximum: 10 } } }
const results = await parallel(chunks.map((chunk, i) => () => agent(`Check these files:\n${chunk.join('\n')}`, { schema: OUT, label: `chunk ${i + 1}` })))
const checked = results.filter(Boolean).reduce((sum, r) => sum + r.ok, 0)
return { chunks: chunks.length, lastChunk: chunks.at(-1).length, checkedAtMost: checked <= files.length }

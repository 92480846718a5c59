export const meta = { name: 'chunked-context', description: 'Split text into chunks by UTF-8 size and give each an id' }

const enc = new TextEncoder()
const doc = 'Grüße aus München. '.repeat(40)
const chunks = []
let current = ''
for (const sentence of doc.split('. ').filter(Boolean)) {
  if (enc.encode(current + sentence).length > 200 && current) { chunks.push(current); current = '' }
  current += sentence + '. '
}
if (current) chunks.push(current)
const ids = chunks.map((c, i) => btoa(`chunk-${i}`))
const summaries = await pipeline(chunks, (chunk, _c, i) => agent(`Summarise chunk ${atob(ids[i])}:\n${chunk}`, { label: ids[i] }))
return { chunks: chunks.length, summaries: summaries.filter(Boolean).length, roundTrip: new TextDecoder().decode(enc.encode(doc)) === doc }

export const meta = {
  name: 'deep-research',
  description: 'Fan out web searches across angles, fetch and cross-check sources, vote on claims, cite',
  phases: [{ title: 'Search' }, { title: 'Read' }, { title: 'Vote' }, { title: 'Report' }],
}

const question = typeof args === 'string' ? args : 'What changed in the Node.js permission model between v20 and v22?'
const SOURCES = {
  type: 'object',
  required: ['sources'],
  properties: { sources: { type: 'array', maxItems: 3, items: { type: 'object', required: ['url', 'title'], properties: { url: { type: 'string', format: 'uri' }, title: { type: 'string' } } } } },
}
const CLAIMS = { type: 'object', required: ['claims'], properties: { claims: { type: 'array', maxItems: 2, items: { type: 'string' } } } }
const VOTE = { type: 'object', required: ['supported'], properties: { supported: { type: 'boolean' } } }

phase('Search')
const angles = ['official docs', 'changelog', 'issue tracker']
const found = await parallel(angles.map(a => () => agent(`Search the web for ${a} about: ${question}`, { agentType: 'researcher', schema: SOURCES, label: a })))

// De-duplicate sources by host and path, dropping tracking parameters.
const byKey = new Map()
for (const source of found.filter(Boolean).flatMap(r => r.sources)) {
  let key
  try {
    const url = new URL(source.url)
    for (const name of [...url.searchParams.keys()]) if (name.startsWith('utm_')) url.searchParams.delete(name)
    url.hash = ''
    key = url.hostname + url.pathname + url.search
  } catch {
    key = source.url
  }
  if (!byKey.has(key)) byKey.set(key, source)
}
const sources = [...byKey.values()]
log(`${sources.length} distinct sources`)

phase('Read')
const claims = await pipeline(sources, s => agent(`Fetch ${s.url} and list the claims it makes about: ${question}`, { agentType: 'researcher', schema: CLAIMS, label: s.title }))

phase('Vote')
const allClaims = claims.filter(Boolean).flatMap(c => c.claims)
const votes = await parallel(allClaims.map(c => () => agent(`Is this claim supported by at least two sources? ${c}`, { schema: VOTE, model: 'haiku' })))
const supported = allClaims.filter((_, i) => votes[i]?.supported)

phase('Report')
const report = await agent(`Write a cited report answering: ${question}\nClaims:\n${supported.join('\n')}`)
return { sources: sources.length, claims: allClaims.length, supported: supported.length, report: typeof report }

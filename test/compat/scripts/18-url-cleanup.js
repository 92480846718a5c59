export const meta = { name: 'link-audit', description: 'Normalise links before checking them' }

const LINKS = { type: 'object', required: ['links'], properties: { links: { type: 'array', items: { type: 'string', format: 'uri' }, minItems: 1, maxItems: 3 } } }
const found = await agent('List every external link in docs/.', { schema: LINKS })
const extra = ['https://Example.com/a/../b?utm_source=x&id=1#top', 'http://example.com:80/b?id=1', 'https://例え.jp/ドキュメント']
const normal = [...found.links, ...extra].map(raw => {
  const url = new URL(raw)
  url.searchParams.delete('utm_source')
  url.hash = ''
  return url.href
})
const unique = [...new Set(normal)]
const params = new URLSearchParams({ q: 'node permissions', page: '2' }).toString()
const copy = structuredClone({ unique, at: new Date(0) })
return { unique: unique.length, extra: unique.filter(u => !found.links.includes(u)), params, copied: copy.unique.length, date: copy.at.toISOString() }

export const meta = { name: 'maybe-nothing', description: 'Stop early when there is nothing to do' }

const CHANGED = { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'string' }, maxItems: 0 } } }
const changed = await agent('List files changed since the last release.', { schema: CHANGED })
if (changed.files.length === 0) {
  log('nothing changed; no review needed')
  return { reviewed: 0, skipped: true }
}
const reviews = await pipeline(changed.files, f => agent(`Review ${f}`))
return { reviewed: reviews.length, skipped: false }

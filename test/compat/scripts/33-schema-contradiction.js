export const meta = { name: 'bad-schema', description: 'A schema that contradicts itself fails before any agent starts' }

const result = await agent('Report the owner.', {
  schema: { type: 'object', required: ['owner'], properties: { name: { type: 'string' } }, additionalProperties: false },
})
return result

export const meta = { name: 'scan-module', description: 'Scan one module for problems' }

const F = { type: 'object', required: ['findings'], properties: { findings: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 } } }
const result = await agent(`Scan ${args.dir} for problems.`, { schema: F, agentType: 'reviewer' })
return { dir: args.dir, findings: result.findings.length }

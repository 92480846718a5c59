export const meta = { name: 'audit-wrapper', description: 'Run the bundled audit workflow with structured args' }

const report = await workflow('audit', { problem: 'missing input validation', maxFindings: 5 })
return { keys: Object.keys(report).sort(), problem: report.problem }

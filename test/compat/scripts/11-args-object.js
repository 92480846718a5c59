export const meta = { name: 'triage-issues', description: 'Triage the issues passed in args' }

const issues = Array.isArray(args?.issues) ? args.issues : []
if (issues.length === 0) return { triaged: [], note: 'no issues given' }
const LABEL = { type: 'object', required: ['label'], properties: { label: { type: 'string', enum: ['bug', 'feature', 'question'] } } }
const labels = await parallel(issues.map(n => () => agent(`Triage issue #${n}.`, { schema: LABEL, label: `#${n}` })))
return { triaged: issues.map((n, i) => ({ issue: n, label: labels[i]?.label ?? 'unknown' })), mode: args.mode ?? 'default' }

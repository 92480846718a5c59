export const meta = { name: 'scan-all', description: 'Run the saved scan workflow once per module' }

const modules = ['src/billing', 'src/search']
const scans = []
for (const dir of modules) scans.push(await workflow('scan-module', { dir }))
return scans.map(s => ({ dir: s.dir, findings: s.findings }))

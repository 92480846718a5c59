export const meta = { name: 'cost-summary', description: 'Estimate work and print money and counts the way people read them' }

const SIZE = { type: 'object', required: ['files', 'hours'], properties: { files: { type: 'integer', minimum: 0, maximum: 5000 }, hours: { type: 'number', minimum: 0, maximum: 100 } } }
const est = await agent('Estimate the size of the migration.', { schema: SIZE })
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 })
const line = `${est.files.toLocaleString()} files, ${est.hours.toLocaleString('en-US', { maximumFractionDigits: 1 })} h, ${usd.format(est.hours * 120)}, ${pct.format(est.files / 5000)} of the repo`
log(line)
return { line, compact: new Intl.NumberFormat('en-US', { notation: 'compact' }).format(1234567) }

export const meta = { name: 'weekly-digest', description: 'Dates come in through args, never from the clock' }

const since = new Date(args.since)
const until = new Date(since.getTime() + 7 * 24 * 3600 * 1000)
const range = `${since.toISOString().slice(0, 10)}..${until.toISOString().slice(0, 10)}`
const digest = await agent(`Write the digest of merged pull requests in ${range}.`)
let clock = 'refused'
try { Date.now(); clock = 'allowed' } catch (error) { clock = error.code }
return { range, digest: typeof digest, clock }

export const meta = { name: 'chatty', description: 'Scripts that print their progress' }

console.log('starting with %d checks', 2)
const results = await parallel([() => agent('Check the lockfile'), () => agent('Check the licenses')])
console.info('results:', results.length)
if (results.some(r => r === null)) console.warn('a check failed')
console.error('this is only a test of console.error')
log('done')
return { printed: true }

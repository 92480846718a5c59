export const meta = { name: 'research-question', description: 'Answer the question given as plain text' }

const question = typeof args === 'string' ? args : args?.question
if (!question) throw new Error('give a question as args')
const angles = ['history', 'current state', 'open problems']
const notes = await parallel(angles.map(a => () => agent(`Research "${question}" from the angle of ${a}.`, { label: a })))
return { question, angles: notes.filter(Boolean).length }

export const meta = {
  name: 'explain-quiz',
  description: 'Each term flows explain→quiz independently',
  phases: [{ title: 'Explain' }, { title: 'Quiz' }],
}

let IN = args ?? {}
if (typeof IN === 'string') { try { IN = JSON.parse(IN) } catch { IN = {} } }
const terms = Array.isArray(IN.terms) && IN.terms.length ? IN.terms : ['thunk', 'barrier', 'idempotent', 'memoization']

const QUIZ = {
  type: 'object',
  required: ['question', 'choices', 'answerIndex'],
  properties: {
    question: { type: 'string' },
    choices: { type: 'array', items: { type: 'string' }, minItems: 4, maxItems: 4 },
    answerIndex: { type: 'integer', minimum: 0, maximum: 3 },
  },
}

const quizzes = await pipeline(terms,
  term => agent(`Explain "${term}" in two sentences.`, { phase: 'Explain', label: `explain:${term}` }),
  (explanation, term) => agent(`Write one multiple-choice question testing this explanation of ${term}:\n${explanation}`, { phase: 'Quiz', label: `quiz:${term}`, schema: QUIZ }),
)

return quizzes.map((q, i) => ({ term: terms[i], choices: q.choices.length, answerInRange: q.answerIndex >= 0 && q.answerIndex < 4 }))

export const meta = { name: 'improve-until-budget', description: 'Keep improving while the token budget lasts' }

let rounds = 0
let draft = await agent('Write a first draft of the migration guide.')
while (budget.total && budget.remaining() > 50_000 && rounds < 20) {
  draft = await agent(`Improve this draft; keep it under 400 words:\n${draft}`, { label: `round ${rounds + 1}` })
  rounds++
}
log(`stopped after ${rounds} rounds with ${budget.remaining()} tokens left of ${budget.total}`)
return { rounds, stoppedBy: rounds >= 20 ? 'round cap' : 'budget', left: budget.remaining() > 0 }

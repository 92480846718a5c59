export const meta = {
  name: 'stage-phases',
  description: 'Phases as agent options inside concurrent stages, titles matched to meta',
  phases: [{ title: 'Outline' }, { title: 'Write' }, { title: 'Edit' }],
}

const sections = ['intro', 'setup', 'usage', 'faq']
const done = await pipeline(sections,
  s => agent(`Outline the ${s} section.`, { phase: 'Outline', label: `${s}/outline` }),
  (outline, s) => agent(`Write the ${s} section from:\n${outline}`, { phase: 'Write', label: `${s}/write` }),
  (text, s) => agent(`Edit the ${s} section:\n${text}`, { phase: 'Edit', label: `${s}/edit` }),
)
return { sections: done.filter(Boolean).length }

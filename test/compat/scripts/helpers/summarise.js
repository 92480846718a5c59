export const meta = { name: 'summarise', description: 'Summarise a topic in parts, then join' }

const parts = await parallel(Array.from({ length: args.parts }, (_, i) => () => agent(`Write part ${i + 1} of a summary of ${args.topic}.`)))
return { topic: args.topic, parts: parts.filter(Boolean).length }

export const meta = {
  name: "audit-routes",
  description: "Audit every route handler for missing auth checks",
  phases: [{ title: "Find" }, { title: "Audit" }],
}

const dir = (args && args.dir) || "src/routes"

phase("Find")
const found = await agent(`List every .ts file under ${dir}/.`, {
  schema: { type: "object", required: ["files"], properties: { files: { type: "array", items: { type: "string" } } } },
})

phase("Audit")
const audits = await pipeline(found.files, (file) =>
  agent(`Audit ${file} for missing authentication checks.`, { label: file }),
)

return audits.filter(Boolean)

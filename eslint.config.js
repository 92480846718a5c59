// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "docs/**", "examples/**", "workflows/**", "test/fixtures/**", "test/compat/scripts/**", "test/compat/fixture-repo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-console": ["error"],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-expect-error": "allow-with-description" }],
    },
  },
  {
    // A folder with an index.ts is used through it: code outside the folder imports its public surface only.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...["agents/model", "agents/model/batch", "audit", "store", "workflows", "workspace"].map((folder) => ({
              group: [`**/${folder}/*.js`, `!**/${folder}/index.js`],
              message: `import from ${folder}/index.js, the folder's public surface`,
            })),
            { group: ["./model/*.js", "!./model/index.js", "./model/batch/*.js", "!./model/batch/index.js"], message: "import from the folder's index.js, its public surface" },
          ],
        },
      ],
    },
  },
  {
    // Tests, benchmarks, scripts and the CLI may print.
    files: ["test/**", "bench/**", "scripts/**", "src/cli/**"],
    rules: { "no-console": "off" },
  },
);

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
    // Tests, benchmarks, scripts and the CLI may print.
    files: ["test/**", "bench/**", "scripts/**", "src/cli/**"],
    rules: { "no-console": "off" },
  },
);

export { ajvRegExpEngine } from "./ajv-regexp-engine.js";
export { compileGlob, globToRegexSource, MAX_GLOB_LENGTH, type CompileGlobOptions, type GlobMatcher } from "./compile-glob.js";
export { compileLinearRegex, MAX_REGEX_LENGTH, type LinearRegex } from "./compile-regex.js";
export { PatternError, type PatternErrorCode } from "./errors.js";

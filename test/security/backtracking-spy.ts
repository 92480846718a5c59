/**
 * Counts matches run on V8's backtracking engine. A security test asserts
 * that a hostile pattern never reaches it (zero runs), which fails at once
 * on code that still uses `RegExp` for such patterns, whatever the machine's
 * speed: the assertion is on work done, not on time.
 */
import { vi } from "vitest";

export interface BacktrackingSpy {
  /** `RegExp` executions whose source contains `marker`. */
  runs(marker: string): number;
  restore(): void;
}

/** Spies on `RegExp.prototype.exec` (which `test`, `match` and friends call). */
export function spyOnBacktracking(): BacktrackingSpy {
  const sources: string[] = [];
  const original = RegExp.prototype.exec;
  const spy = vi.spyOn(RegExp.prototype, "exec").mockImplementation(function (this: RegExp, text: string) {
    sources.push(this.source);
    return original.call(this, text);
  });
  return {
    runs: (marker) => sources.filter((source) => source.includes(marker)).length,
    restore: () => spy.mockRestore(),
  };
}

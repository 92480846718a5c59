/** One figure a benchmark reports. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The target in words, e.g. "≤ 0.2 ms". */
  target?: string;
  pass?: boolean;
}

// One benchmark figure, printed as a JSON line by tests/bench/run.ts (which adds the command).
export interface BenchFigure {
  bench: string
  metric: string
  value: number
  unit: string
  /** The target stated in the issue, in words, e.g. '<= 20 ms'. */
  target?: string
  [extra: string]: unknown
}

export interface BenchContext {
  /** Smoke mode (npm test): tiny sizes, just proves the bench still runs and reports valid figures. */
  smoke: boolean
  report (figure: BenchFigure): void
  log (message: string): void
}

/** A bench module: tests/bench/<name>.bench.ts default-exports one of these. */
export type Bench = (ctx: BenchContext) => Promise<void>

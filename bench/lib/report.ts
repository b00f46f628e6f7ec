import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** One figure measured several times: every run, the median and the range. */
export interface Figure {
  readonly unit: string;
  readonly runs: number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The result file of a scenario, `bench/results/<name>.json`: the machine, Node version and date, then
 * every figure with all its runs, median and min–max. Ratios compare two figures by their medians.
 */
export class Report {
  readonly #figures = new Map<string, { unit: string; runs: number[] }>();
  readonly #ratios: Record<string, { of: string; to: string; value: number }> = {};
  readonly #notes: string[] = [];
  readonly #details: Record<string, unknown> = {};
  /** 1-minute load average when the scenario started: others' work on the same cores skews figures. */
  readonly #loadAtStart = loadavg()[0]!;

  constructor(
    readonly scenario: string,
    readonly quick: boolean,
  ) {}

  /** Records one run of a figure (e.g. `switchboard.fanout.1k.p99`, unit `ms`). */
  add(name: string, unit: string, value: number): void {
    let figure = this.#figures.get(name);
    if (!figure) this.#figures.set(name, (figure = { unit, runs: [] }));
    figure.runs.push(Math.round(value * 1000) / 1000);
    console.log(`  ${name}: ${figure.runs.at(-1)} ${unit}`);
  }

  /** `of / to` by medians, named `name` (e.g. how many times switchboard's throughput socket.io's is). */
  ratio(name: string, of: string, to: string): void {
    const a = this.figure(of)?.median;
    const b = this.figure(to)?.median;
    if (a === undefined || b === undefined || b === 0) return;
    this.#ratios[name] = { of, to, value: Math.round((a / b) * 100) / 100 };
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  /** Structured data a chart or the report needs beyond figures (histograms, profiles, byte breakdowns). */
  detail(key: string, value: unknown): void {
    this.#details[key] = value;
  }

  figure(name: string): Figure | undefined {
    const figure = this.#figures.get(name);
    if (!figure || figure.runs.length === 0) return undefined;
    const sorted = [...figure.runs].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { unit: figure.unit, runs: figure.runs, median, min: sorted[0]!, max: sorted.at(-1)! };
  }

  /** Writes `results/<scenario>.json`; a quick run writes `results/tmp/<scenario>.json` (not committed). */
  write(resultsDir: string): string {
    const figures: Record<string, Figure> = {};
    for (const name of this.#figures.keys()) figures[name] = this.figure(name)!;
    const cpu = cpus();
    const body = {
      scenario: this.scenario,
      quick: this.quick,
      date: new Date().toISOString(),
      node: process.version,
      machine: { platform: process.platform, arch: process.arch, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage: { start: round(this.#loadAtStart), end: round(loadavg()[0]!) } },
      figures,
      ratios: this.#ratios,
      notes: this.#notes,
      ...(Object.keys(this.#details).length ? { details: this.#details } : {}),
    };
    const file = join(resultsDir, this.quick ? 'tmp' : '', `${this.scenario}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
    return file;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

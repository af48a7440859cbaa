// Small statistics for the benchmarks: medians of repeated runs and ratios between them.

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `measured / baseline`, rounded for reading (NaN when the baseline is missing). */
export function ratio(measured: number, baseline: number): number {
  return baseline > 0 ? round(measured / baseline, 2) : Number.NaN;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

// The command-line flags the benchmark entry points share (`--quick`, `--node PATH`, and a
// numeric flag or two of their own), parsed one way with one kind of error.

export interface BenchArguments {
  quick: boolean;
  node: string;
  /** Values of the numeric flags the caller named, by flag name without the dashes. */
  numbers: Record<string, number>;
}

/**
 * Parses `--quick`, `--node PATH` (or `--node=PATH`) and each `--NAME N` of `numericFlags`;
 * anything else throws with the usage line.
 */
export function parseBenchArguments(argv: readonly string[], defaults: { node: string; numbers?: Record<string, number> }, usage: string): BenchArguments {
  const parsed: BenchArguments = { quick: false, node: defaults.node, numbers: { ...defaults.numbers } };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const name = argument.replace(/^--/, '');
    if (argument === '--quick') {
      parsed.quick = true;
    } else if (argument === '--node' && argv[index + 1]) {
      parsed.node = argv[(index += 1)];
    } else if (argument.startsWith('--node=')) {
      parsed.node = argument.slice('--node='.length);
    } else if (argument.startsWith('--') && name in parsed.numbers && argv[index + 1] !== undefined && Number.isFinite(Number(argv[index + 1]))) {
      parsed.numbers[name] = Number(argv[(index += 1)]);
    } else {
      throw new Error(`Unknown argument ${argument}. Usage: ${usage}`);
    }
  }
  return parsed;
}

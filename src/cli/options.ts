// The options loop of the terminal commands, written once: options come first, up to `--` or the
// first word that is not an option; each goes to the command with a reader for its value.

/** What a command does with one option; a result (e.g. help) ends the parse. */
export type OptionHandler<T> = (option: string, value: () => string) => T | undefined;

export type ReadOptions<T> = { positional: string[] } | { result: T };

/**
 * Reads the options at the start of `words`: returns the words after them, or the result an
 * option's handler returned. `bad` reports a usage error (an option without its value).
 */
export function readOptions<T>(words: readonly string[], handle: OptionHandler<T>, bad: (message: string) => never): ReadOptions<T> {
  let index = 0;
  for (; index < words.length; index++) {
    const option = words[index];
    if (option === '--') {
      index += 1;
      break;
    }
    if (!option.startsWith('-')) {
      break;
    }
    const value = (): string => {
      const next = words[++index];
      if (next === undefined) {
        bad(`${option} needs a value.`);
      }
      return next;
    };
    const result = handle(option, value);
    if (result !== undefined) {
      return { result };
    }
  }
  return { positional: words.slice(index) };
}

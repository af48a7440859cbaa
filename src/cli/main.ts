// Entry point of the `cluster-tour` command (bundled to dist/cli.js).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArguments, usage } from './arguments';
import { describeFailure, runTrace } from './trace';

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (parsed.command === 'help') {
    process.stdout.write(`${parsed.text ?? usage}\n`);
    return 0;
  }
  if (parsed.command === 'version') {
    // dist/cli.js sits one folder below the package root.
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }
  if (parsed.command === 'tour') {
    // Loaded only here: the tours' texts and claims are not needed to trace.
    const { runTour } = await import('./tour');
    return runTour(parsed, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (text) => process.stderr.write(text),
      programOut: (text) => process.stdout.write(text),
      input: process.stdin,
    });
  }
  return runTrace(parsed, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    programOut: (text) => (parsed.json ? process.stderr : process.stdout).write(text),
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${describeFailure(error)}\n`);
    process.exitCode = 2;
  },
);

// How the terminal tour writes a stop: its header, the source around the paused line (from the
// running Node's own library), the explanation and each claim with ✓ / ✗ / …. Pure text.
import { describeClaim, type ClaimResult } from '../cluster/tours/claims';
import type { ProcessIdentity } from '../cluster/session/processSession';

export const contextLines = 3;

export function processName(process: Pick<ProcessIdentity, 'role' | 'workerId'>): string {
  return process.role === 'primary' ? 'primary' : `worker ${process.workerId ?? '?'}`;
}

function actualText(result: ClaimResult): string {
  const actual = result.actual as unknown;
  if (result.claim.kind === 'next-stage' && actual && typeof actual === 'object' && 'stage' in actual) {
    return String((actual as { stage: unknown }).stage);
  }
  return typeof actual === 'string' ? actual : JSON.stringify(actual);
}

/** `✓ text`, `✗ text (found: …)`, or `… text (decided after this stop)`. */
export function claimLine(result: ClaimResult): string {
  const text = describeClaim(result.claim);
  if (result.ok === true) return `✓ ${text}`;
  if (result.ok === false) return `✗ ${text} (found: ${actualText(result)})`;
  return result.actual === undefined ? `… ${text} (decided once the program goes on)` : `… ${text} (${actualText(result)})`;
}

/** The lines around `line` (0-based) of `source`, numbered 1-based, the paused one marked `>`. */
export function sourceExcerpt(source: string, line: number, around = contextLines): string[] {
  const lines = source.split('\n');
  const first = Math.max(0, line - around);
  const last = Math.min(lines.length - 1, line + around);
  const width = String(last + 1).length;
  const excerpt: string[] = [];
  for (let index = first; index <= last; index++) {
    excerpt.push(`${index === line ? '>' : ' '} ${String(index + 1).padStart(width)} │ ${lines[index]}`);
  }
  return excerpt;
}

/** Markdown of an explanation as plain paragraphs, indented, wrapped at `width`. */
export function explanationLines(markdown: string, width = 96, indent = '  '): string[] {
  const out: string[] = [];
  for (const paragraph of markdown.replace(/\*\*/g, '').split(/\n\s*\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line !== '' && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    if (line !== '') out.push(indent + line);
    out.push('');
  }
  if (out[out.length - 1] === '') out.pop();
  return out;
}

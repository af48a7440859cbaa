// `cluster-tour trace --svg FILE`: keeps every lifecycle (and syscall) event of the run and, at
// its end, writes the sequence diagram of the whole run (common/diagram) as a self-contained SVG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDiagram, type DiagramEvent } from '../common/diagram/model';
import { renderSvg } from '../common/diagram/svg';
import { ClusterTourError, messageOf } from '../common/errors';

export class SvgOutput {
  private readonly events: DiagramEvent[] = [];

  constructor(
    readonly file: string,
    private readonly title: string,
  ) {}

  push(event: DiagramEvent): void {
    this.events.push(event);
  }

  /** Writes the file; says how many lanes and arrows it drew. */
  write(): string {
    const diagram = buildDiagram(this.events);
    const svg = renderSvg(diagram, { standalone: true, title: this.title });
    try {
      fs.writeFileSync(this.file, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    } catch (error) {
      throw new ClusterTourError('E_SVG_WRITE', `Could not write the diagram to ${this.file}: ${messageOf(error)}. Check that its folder exists and is writable.`);
    }
    const aggregated = diagram.connections.aggregated > 0 ? `, ${diagram.connections.aggregated} connections counted in one note` : '';
    return `cluster-tour: wrote ${path.resolve(this.file)} (${diagram.lanes.length} lanes, ${diagram.arrows.length} arrows${aggregated})\n`;
  }
}

// Where Cluster Tour opens a source (a tour stop's, a call site's): never over the sequence
// diagram. When the diagram is what the active editor group shows (the person has just clicked
// in it, or it took the focus), the source goes to the group beside it; otherwise to the active
// group, where VS Code opens any source.
import * as vscode from 'vscode';

export const diagramViewType = 'clusterTour.sequenceDiagram';

/** The group to open a source in: undefined (the active one) unless that one shows the diagram. */
export function sourceColumn(): vscode.ViewColumn | undefined {
  const group = vscode.window.tabGroups.activeTabGroup;
  const input = group.activeTab?.input;
  // A webview panel's tab input names its viewType with a prefix VS Code adds (`mainThreadWebview-…`).
  if (!(input instanceof vscode.TabInputWebview) || !input.viewType.endsWith(diagramViewType)) {
    return undefined;
  }
  return besideDiagram(group.viewColumn);
}

/** The group beside the diagram's: the second when the diagram is in the first, else the first. */
export function besideDiagram(diagramColumn: vscode.ViewColumn | undefined): vscode.ViewColumn {
  return diagramColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
}

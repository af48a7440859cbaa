// How VS Code runs a cluster-tour session: the debug adapter inline in the extension host (no
// process of its own), launch configurations for F5 without a launch.json, and the settings
// (presets, userPresets, runtimeExecutable) filled into configurations that do not set them, and an
// attach's workspace folder (`cwd`, where its .vscode/cluster-tour.json is).
import * as vscode from 'vscode';
import { debugType } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import { ClusterDebugSession } from '../adapter/session';
import { withSettings } from './settings';

/** Runs the ClusterDebugSession inside the extension host. */
class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterInlineImplementation(new ClusterDebugSession());
  }
}

/** The configuration F5 uses for the active file when there is no launch.json. */
export function launchCurrentFile(): vscode.DebugConfiguration {
  return { type: debugType, request: 'launch', name: 'Cluster Tour: launch the current file', program: '${file}', cwd: '${workspaceFolder}' };
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [launchCurrentFile()];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, configuration: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    // An empty configuration is what F5 hands over when launch.json is missing or empty.
    if (!configuration.type && !configuration.request && !configuration.name) {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !['javascript', 'typescript'].includes(editor.document.languageId)) {
        void vscode.window.showInformationMessage('Cluster Tour: open the cluster program (a .js file) to launch it, or add a launch configuration.');
        return undefined;
      }
      const launch = launchCurrentFile();
      if (!folder) {
        delete launch.cwd;
      }
      return withSettings(launch);
    }
    // An attach names no program: its presets file is the workspace folder's.
    if (configuration.request === 'attach' && configuration.cwd === undefined && folder) {
      return withSettings({ ...configuration, cwd: folder.uri.fsPath });
    }
    return withSettings(configuration);
  }
}

export function registerDebugAdapter(): vscode.Disposable {
  const disposables = new DisposableStore();
  disposables.add(vscode.debug.registerDebugAdapterDescriptorFactory(debugType, new InlineAdapterFactory()));
  disposables.add(vscode.debug.registerDebugConfigurationProvider(debugType, new ConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial));
  disposables.add(vscode.debug.registerDebugConfigurationProvider(debugType, new ConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic));
  return toDisposable(() => disposables.dispose());
}

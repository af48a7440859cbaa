// The debugger's operations on one process (stepping, inspecting objects, evaluating, reading
// scripts): thin typed calls over its inspector session, so that the debug adapter never
// speaks CDP itself. Objects handed out belong to one object group, released on resume.
import type Protocol from 'devtools-protocol';
import type { CdpSession } from '../../cdp/session';

export type PauseOnExceptions = 'none' | 'uncaught' | 'all';

const objectGroup = 'cluster-tour-debugger';

export class DebugOperations {
  constructor(private readonly cdp: CdpSession) {}

  async stepOver(): Promise<void> {
    await this.cdp.send('Debugger.stepOver', {});
  }

  async stepInto(): Promise<void> {
    await this.cdp.send('Debugger.stepInto', {});
  }

  async stepOut(): Promise<void> {
    await this.cdp.send('Debugger.stepOut');
  }

  async setPauseOnExceptions(state: PauseOnExceptions): Promise<void> {
    await this.cdp.send('Debugger.setPauseOnExceptions', { state });
  }

  async getScriptSource(scriptId: string): Promise<string> {
    return (await this.cdp.send('Debugger.getScriptSource', { scriptId })).scriptSource;
  }

  async getProperties(objectId: string): Promise<Protocol.Runtime.GetPropertiesResponse> {
    return this.cdp.send('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
  }

  /** Calls `functionDeclaration` with `this` = the object; the result stays remote. */
  async callFunctionOn(objectId: string, functionDeclaration: string, values: readonly unknown[]): Promise<Protocol.Runtime.CallFunctionOnResponse> {
    return this.cdp.send('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration,
      arguments: values.map((value) => ({ value })),
      objectGroup,
      silent: true,
    });
  }

  async evaluateOnCallFrame(callFrameId: string, expression: string, silent: boolean): Promise<Protocol.Debugger.EvaluateOnCallFrameResponse> {
    return this.cdp.send('Debugger.evaluateOnCallFrame', { callFrameId, expression, objectGroup, silent, includeCommandLineAPI: true });
  }

  async evaluate(expression: string, silent: boolean): Promise<Protocol.Runtime.EvaluateResponse> {
    return this.cdp.send('Runtime.evaluate', { expression, objectGroup, silent, includeCommandLineAPI: true });
  }

  /** Lets the process free every object handed out since the last release. */
  async releaseObjects(): Promise<void> {
    await this.cdp.send('Runtime.releaseObjectGroup', { objectGroup });
  }
}

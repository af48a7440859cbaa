// The debugger's operations on one process (stepping, inspecting objects, evaluating, reading
// scripts): thin typed calls over its inspector session, so that the debug adapter never
// speaks CDP itself. Objects handed out belong to one object group, released on resume.
import type { CallFunctionOnResult, EvaluateOnCallFrameResult, EvaluateResult, GetPropertiesResult } from '../../cdp/protocol';
import type { CdpSession } from '../../cdp/session';

export type PauseOnExceptions = 'none' | 'uncaught' | 'all';

const objectGroup = 'cluster-tour-debugger';

export class DebugOperations {
  constructor(private readonly cdp: CdpSession) {}

  async stepOver(): Promise<void> {
    await this.cdp.stepOver();
  }

  async stepInto(): Promise<void> {
    await this.cdp.stepInto();
  }

  async stepOut(): Promise<void> {
    await this.cdp.stepOut();
  }

  async setPauseOnExceptions(state: PauseOnExceptions): Promise<void> {
    await this.cdp.setPauseOnExceptions(state);
  }

  async getScriptSource(scriptId: string): Promise<string> {
    return this.cdp.getScriptSource(scriptId);
  }

  async getProperties(objectId: string): Promise<GetPropertiesResult> {
    return this.cdp.getProperties({ objectId, ownProperties: true, generatePreview: false });
  }

  /** Calls `functionDeclaration` with `this` = the object; the result stays remote. */
  async callFunctionOn(objectId: string, functionDeclaration: string, values: readonly unknown[]): Promise<CallFunctionOnResult> {
    return this.cdp.callFunctionOn({
      objectId,
      functionDeclaration,
      arguments: values.map((value) => ({ value })),
      objectGroup,
      silent: true,
    });
  }

  async evaluateOnCallFrame(callFrameId: string, expression: string, silent: boolean): Promise<EvaluateOnCallFrameResult> {
    return this.cdp.evaluateOnCallFrame({ callFrameId, expression, objectGroup, silent, includeCommandLineAPI: true });
  }

  async evaluate(expression: string, silent: boolean): Promise<EvaluateResult> {
    return this.cdp.evaluate({ expression, objectGroup, silent, includeCommandLineAPI: true });
  }

  /** Lets the process free every object handed out since the last release. */
  async releaseObjects(): Promise<void> {
    await this.cdp.releaseObjectGroup(objectGroup);
  }
}

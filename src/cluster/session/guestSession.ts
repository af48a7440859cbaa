// The controller's side of the guest (agent/guest.ts): installs it first in an attached process,
// and on detach has it undo everything Cluster Tour put there, then removes the bindings.
import type { CdpSession } from '../../cdp/session';
import { ClusterTourError } from '../../common/errors';
import { GuestInstallResult, GuestOptions, guestSymbolName, installGuest } from '../agent/guest';
import { guestSourceUrl, sourceUrlComment } from './instrumentation';

/** How often an attached process checks that its controller still runs. */
export const guestCheckMilliseconds = 500;
/** How long detaching waits for a process to undo its instrumentation before it just closes. */
const uninstallTimeoutMilliseconds = 2000;

/** Installs the guest; refuses a process another live Cluster Tour session is attached to. */
export async function installGuestIn(cdp: CdpSession, pid: number, options: GuestOptions): Promise<void> {
  const expression = `(${installGuest.toString()})(${JSON.stringify(options)})${sourceUrlComment(guestSourceUrl)}`;
  const result = (await cdp.evaluateValue(expression, (exception) => ({
    code: 'E_GUEST_INSTALL',
    message: `Could not prepare pid ${pid} for Cluster Tour: ${exception.exception?.description ?? exception.text}`,
  }))) as GuestInstallResult;
  if (result.startsWith('busy:')) {
    throw new ClusterTourError(
      'E_ALREADY_ATTACHED',
      `Another Cluster Tour session (process ${result.slice('busy:'.length)}) is attached to pid ${pid}. Stop that session first, then attach again.`,
    );
  }
}

/**
 * Has the process undo the agent, the output capture and the environment (the guest owns them),
 * then removes the bindings. A process that does not answer in time is left to its guest, which
 * undoes the same once it sees the session folder gone.
 */
export async function uninstallGuestFrom(cdp: CdpSession, bindingNames: readonly string[]): Promise<void> {
  const expression = `(() => { const guest = globalThis[Symbol.for(${JSON.stringify(guestSymbolName)})]; if (guest) guest.dispose(); return 'disposed'; })()`;
  const work = (async () => {
    await cdp.evaluate({ expression, returnByValue: true, silent: true });
    for (const name of bindingNames) {
      await cdp.removeBinding(name);
    }
  })();
  const settled = work.then(
    () => undefined,
    (error: unknown) => error,
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), uninstallTimeoutMilliseconds)));
  const failure = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  // A process that exited meanwhile has nothing left to undo.
  if (failure !== undefined && !cdp.isClosed) {
    throw failure;
  }
}

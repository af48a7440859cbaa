// One DevTools-protocol connection to one Node process. The only file that talks to
// chrome-remote-interface: commands whose failures name the method, events whose subscriptions
// are Disposables, and a close event; the typed calls on top are inspector.ts's. Unless told otherwise it acknowledges the
// inspector's messages promptly (see acknowledgement.ts): a step then takes about 1 ms, not 44.
import type CDP from 'chrome-remote-interface';
import { Disposable, toDisposable } from '../common/disposable';
import { Emitter } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';
import { nudgeMethod, PromptAcknowledger } from './acknowledgement';
import { InspectorCommands } from './inspector';
import type { CommandName, CommandParams, CommandResult, EventName, EventParams } from './protocol';

interface RawClient {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: unknown) => void): unknown;
  removeListener(event: string, listener: (params: unknown) => void): unknown;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /**
   * Nudge the inspector so that its messages are acknowledged at once (default true). Only the
   * step benchmark turns it off, to measure the difference.
   */
  promptAcknowledgement?: boolean;
}

const emptyProtocol: CDP.Protocol = { version: { major: '1', minor: '3' }, domains: [] };

/**
 * The library and its WebSocket (with Node's http, https, tls and zlib behind it) load at the
 * first connection, not with the bundle: a launch starts the program first, and they load while
 * its primary boots instead of before.
 */
function loadLibrary(): Promise<typeof CDP> {
  return import('chrome-remote-interface').then((library) => library.default);
}

export class CdpSession extends InspectorCommands {
  private readonly closeEmitter = new Emitter<void>();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Fires once, when the connection is gone (either side closed it). */
  readonly onClose = this.closeEmitter.event;
  private readonly acknowledger: PromptAcknowledger | undefined;

  private constructor(
    private readonly client: RawClient,
    readonly webSocketUrl: string,
    options: ConnectOptions,
  ) {
    super();
    client.on('disconnect', () => this.markClosed());
    if (options.promptAcknowledgement ?? true) {
      const acknowledger = new PromptAcknowledger(() => this.sendNudge(acknowledger));
      this.acknowledger = acknowledger;
      client.on('event', (message) => acknowledger.eventReceived((message as { method: string }).method));
    }
  }

  /** Connects to an inspector's WebSocket URL (`ws://127.0.0.1:PORT/UUID`). */
  static async connect(webSocketUrl: string, options: ConnectOptions = {}): Promise<CdpSession> {
    try {
      // No protocol description: only `send` and events are used, and building the library's
      // per-domain helpers from its 1.2 MB description cost about 20 ms of CPU per connection.
      const connectTo = await loadLibrary();
      const client = (await connectTo({ target: webSocketUrl, protocol: emptyProtocol })) as unknown as RawClient;
      return new CdpSession(client, webSocketUrl, options);
    } catch (error) {
      throw new ClusterTourError('E_CDP_CONNECT', `Could not connect to the inspector at ${webSocketUrl}: ${messageOf(error)}`);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** How many nudges this session sent (see acknowledgement.ts); for the step benchmark. */
  get nudges(): number {
    return this.acknowledger?.nudges ?? 0;
  }

  protected async send<M extends CommandName>(method: M, ...params: CommandParams<M>): Promise<CommandResult<M>> {
    if (this.closed) {
      throw new ClusterTourError('E_CDP_CLOSED', `${method} failed: the inspector connection is closed`, method);
    }
    this.acknowledger?.commandSent(method);
    try {
      return (await this.client.send(method, params[0] as object | undefined)) as CommandResult<M>;
    } catch (error) {
      const response = (error as { response?: { message?: string } }).response;
      const detail = response?.message ?? messageOf(error);
      throw new ClusterTourError('E_CDP_COMMAND', `${method} failed: ${detail}`, method);
    } finally {
      this.acknowledger?.responseReceived();
    }
  }

  protected on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): Disposable {
    const handler = listener as (params: unknown) => void;
    this.client.on(event, handler);
    return toDisposable(() => this.client.removeListener(event, handler));
  }

  /**
   * Closes the connection; every caller gets the same close. chrome-remote-interface keeps one
   * listener for the socket's end, and a second close() replaces the first one's, which then
   * never settles: a stop that overlapped the process's own end waited for ever.
   */
  close(): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }
    this.closing ??= (async () => {
      this.acknowledger?.dispose();
      try {
        await this.client.close();
      } finally {
        this.markClosed();
      }
    })();
    return this.closing;
  }

  private sendNudge(acknowledger: PromptAcknowledger): void {
    if (this.closed) {
      return;
    }
    this.client.send(nudgeMethod).then(
      () => acknowledger.nudgeAnswered(),
      // A closing connection, or an inspector without this command: stop nudging. Steps are then
      // slow again but correct, and real commands report a closed connection themselves.
      () => acknowledger.dispose(),
    );
  }

  private markClosed(): void {
    this.acknowledger?.dispose();
    if (!this.closed) {
      this.closed = true;
      this.closeEmitter.fire();
      this.closeEmitter.clear();
    }
  }
}

// One DevTools-protocol connection to one Node process. The only file that talks to
// chrome-remote-interface: typed commands whose failures name the method, typed events whose
// subscriptions are Disposables, and a close event.
import CDP from 'chrome-remote-interface';
import type ProtocolMapping from 'devtools-protocol/types/protocol-mapping';
import { Disposable, toDisposable } from '../common/disposable';
import { Emitter } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';

export type CommandName = keyof ProtocolMapping.Commands;
export type CommandParams<M extends CommandName> = ProtocolMapping.Commands[M]['paramsType'][0];
export type CommandResult<M extends CommandName> = ProtocolMapping.Commands[M]['returnType'];
export type EventName = keyof ProtocolMapping.Events;
export type EventParams<E extends EventName> = ProtocolMapping.Events[E][0];

interface RawClient {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: unknown) => void): unknown;
  removeListener(event: string, listener: (params: unknown) => void): unknown;
  close(): Promise<void>;
}

export class CdpSession {
  private readonly closeEmitter = new Emitter<void>();
  private closed = false;
  /** Fires once, when the connection is gone (either side closed it). */
  readonly onClose = this.closeEmitter.event;

  private constructor(
    private readonly client: RawClient,
    readonly webSocketUrl: string,
  ) {
    client.on('disconnect', () => this.markClosed());
  }

  /** Connects to an inspector's WebSocket URL (`ws://127.0.0.1:PORT/UUID`). */
  static async connect(webSocketUrl: string): Promise<CdpSession> {
    try {
      // `local`: use the bundled protocol description instead of asking the inspector for it.
      const client = (await CDP({ target: webSocketUrl, local: true })) as unknown as RawClient;
      return new CdpSession(client, webSocketUrl);
    } catch (error) {
      throw new ClusterTourError('E_CDP_CONNECT', `Could not connect to the inspector at ${webSocketUrl}: ${messageOf(error)}`);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async send<M extends CommandName>(method: M, ...params: ProtocolMapping.Commands[M]['paramsType']): Promise<CommandResult<M>> {
    if (this.closed) {
      throw new ClusterTourError('E_CDP_CLOSED', `${method} failed: the inspector connection is closed`, method);
    }
    try {
      return (await this.client.send(method, params[0] as object | undefined)) as CommandResult<M>;
    } catch (error) {
      const response = (error as { response?: { message?: string } }).response;
      const detail = response?.message ?? messageOf(error);
      throw new ClusterTourError('E_CDP_COMMAND', `${method} failed: ${detail}`, method);
    }
  }

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): Disposable {
    const handler = listener as (params: unknown) => void;
    this.client.on(event, handler);
    return toDisposable(() => this.client.removeListener(event, handler));
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    try {
      await this.client.close();
    } finally {
      this.markClosed();
    }
  }

  private markClosed(): void {
    if (!this.closed) {
      this.closed = true;
      this.closeEmitter.fire();
      this.closeEmitter.clear();
    }
  }
}

// Bad launch and attach configurations answer with an error response a person can act on, and
// start nothing.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture } from '../support/cluster';
import { startAdapter } from '../support/adapter';

async function refused(request: 'launch' | 'attach', args: object, expected: RegExp): Promise<void> {
  const { client } = await startAdapter();
  try {
    await client.initializeRequest();
    const sent = request === 'launch' ? client.launchRequest(args as DebugProtocol.LaunchRequestArguments) : client.attachRequest(args as DebugProtocol.AttachRequestArguments);
    // Checked at once (before configurationDone) or after it: watch the answer from the start.
    const answer = assert.rejects(sent, expected);
    await client.configurationDoneRequest();
    await answer;
  } finally {
    await client.stop();
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('bad configurations', () => {
  it('a launch without program says to set it', async () => {
    await refused('launch', {}, /Set "program" in the launch configuration.*\(E_NO_PROGRAM\)/);
  });

  it('a program that does not exist is named', async () => {
    await refused('launch', { program: fixture('no-such-app.js') }, /no-such-app\.js does not exist/);
  });

  it('an unknown preset id is named, with the known ones', async () => {
    await refused('launch', { program: fixture('http-workers.js'), presets: ['accept', 'accpet'] }, /Unknown preset "accpet".*listen, accept, handles, disconnect, shared/);
  });

  it('a host that is not loopback is refused', async () => {
    await refused('attach', { host: '192.0.2.1', port: 9229 }, /Refusing to attach to 192\.0\.2\.1: .*only to inspectors on this machine/);
  });

  it('a closed port says nothing listens there', async () => {
    const port = await closedPort();
    await refused('attach', { port }, new RegExp(`Nothing is listening on 127\\.0\\.0\\.1:${port}`));
  });

  it('an attach without port or processId says what to set', async () => {
    await refused('attach', {}, /Set "port".*or "processId"/);
  });
});

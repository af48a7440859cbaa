// The url.parse()/url.format() stand-ins the bundles give chrome-remote-interface
// (src/cdp/legacyUrl.ts): for inspector URLs they return what Node's legacy functions return.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, parse } from '../../src/cdp/legacyUrl';

describe('legacyUrl (chrome-remote-interface without url.parse)', () => {
  it("cuts an inspector's WebSocket URL into the parts url.parse() gives", () => {
    assert.deepEqual(parse('ws://127.0.0.1:9229/0f2c5d3e-uuid'), {
      protocol: 'ws:',
      slashes: true,
      auth: null,
      host: '127.0.0.1:9229',
      port: '9229',
      hostname: '127.0.0.1',
      pathname: '/0f2c5d3e-uuid',
      search: null,
      hash: null,
      path: '/0f2c5d3e-uuid',
      href: 'ws://127.0.0.1:9229/0f2c5d3e-uuid',
    });
  });

  it('gives an IPv6 hostname without brackets, and the host with them', () => {
    const parts = parse('ws://[::1]:9229/abc');
    assert.equal(parts.hostname, '::1');
    assert.equal(parts.host, '[::1]:9229');
    assert.equal(parts.port, '9229');
  });

  it('joins the parts again after the library changed the path, as url.format() does', () => {
    for (const [url, expected] of [
      ['ws://127.0.0.1:9229/0f2c5d3e-uuid', 'ws://127.0.0.1:9229/changed/0f2c5d3e-uuid'],
      ['ws://[::1]:9229/abc', 'ws://[::1]:9229/changed/abc'],
      ['wss://user:pa%40ss@localhost/x?y=1#h', 'wss://user:pa%40ss@localhost/changed/x?y=1#h'],
    ]) {
      const parts = parse(url);
      parts.pathname = `/changed${parts.pathname}`;
      assert.equal(format(parts), expected, url);
    }
  });

  it('reads credentials, a query and a fragment like url.parse()', () => {
    const parts = parse('wss://user:pa%40ss@localhost/x?y=1#h');
    assert.equal(parts.auth, 'user:pa@ss');
    assert.equal(parts.port, null);
    assert.equal(parts.search, '?y=1');
    assert.equal(parts.hash, '#h');
    assert.equal(parts.path, '/x?y=1');
  });
});

// What chrome-remote-interface gets for `require('url')` in the bundles (scripts/build.mjs maps
// it here). The library cuts the inspector's WebSocket URL into parts with Node's legacy
// url.parse() and joins them again with url.format(). Node 24 warns about url.parse() (DEP0169)
// unless the caller's file lies in node_modules, which a bundled library's no longer does, so
// every process that connected printed the warning. The same two functions, over the WHATWG URL.

/** The parts chrome-remote-interface reads and writes (as url.parse() names them). */
export interface UrlParts {
  protocol: string;
  slashes: boolean;
  auth: string | null;
  /** `hostname:port`, or the hostname alone when the URL names no port. */
  host: string;
  port: string | null;
  /** Without the brackets of an IPv6 address, as url.parse() gives it. */
  hostname: string;
  pathname: string;
  search: string | null;
  hash: string | null;
  path: string;
  href: string;
}

export function parse(text: string): UrlParts {
  const url = new URL(text);
  const user = decodeURIComponent(url.username);
  const auth = user === '' && url.password === '' ? null : `${user}${url.password === '' ? '' : `:${decodeURIComponent(url.password)}`}`;
  return {
    protocol: url.protocol,
    slashes: true,
    auth,
    host: url.host,
    port: url.port === '' ? null : url.port,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    pathname: url.pathname,
    search: url.search === '' ? null : url.search,
    hash: url.hash === '' ? null : url.hash,
    path: url.pathname + url.search,
    href: url.href,
  };
}

/** The URL of `parts`, after the caller changed some of them (the library changes `pathname`). */
export function format(parts: UrlParts): string {
  // Encoded as url.format() does it: all but the first colon, which separates the password.
  const auth = parts.auth === null ? '' : `${encodeURIComponent(parts.auth).replace(/%3A/i, ':')}@`;
  return `${parts.protocol}//${auth}${parts.host}${parts.pathname}${parts.search ?? ''}${parts.hash ?? ''}`;
}

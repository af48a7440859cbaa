// The environment for an npm (or a server) that these scripts start themselves, without what an
// outer npm passed down. Under `npm test` or `npm run editor` the outer npm exports its whole
// configuration as npm_config_* variables, and a child npm takes them for its own settings: above
// all npm_config_user_agent, "npm/11 node/v20.20.2 …", which code-server's postinstall reads to
// learn which Node it runs on, so the install refused Node 24 though Node 24 ran it. The outer
// npm's prefix, nodedir, node-gyp and its PATH additions (node_modules/.bin, node-gyp-bin) belong
// to it too. The child npm derives all of them again for the Node it runs on.

/**
 * npm settings about reaching the registry. A child npm reads the same .npmrc files again, but a
 * registry, proxy or credentials given in the environment would be lost: those are kept.
 */
const registryAccess = /^npm_config_(registry|.+:registry|\/\/.+|proxy|https_proxy|noproxy|cafile|ca|strict_ssl|cache|userconfig)$/i;

/** Variables npm sets for the scripts it runs, besides npm_*. */
const setByNpm = new Set(['NODE', 'INIT_CWD']);

/** Folders npm puts in front of PATH for the scripts it runs. */
const addedByNpm = (folder) => /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(folder) || /[\\/]node-gyp-bin[\\/]?$/.test(folder);

/**
 * A copy of `env` for a child npm or server: no npm_* variable (but the registry access above), no NODE or
 * INIT_CWD, and PATH without the folders an outer npm added. `extra` is applied last.
 */
export function withoutOuterNpm(env = process.env, extra = {}) {
  const clean = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || setByNpm.has(name)) continue;
    if (/^npm_/i.test(name) && !registryAccess.test(name)) continue;
    clean[name] = value;
  }
  const pathName = Object.keys(clean).find((name) => name.toUpperCase() === 'PATH') ?? 'PATH';
  if (clean[pathName] !== undefined) {
    const delimiter = process.platform === 'win32' ? ';' : ':';
    clean[pathName] = clean[pathName]
      .split(delimiter)
      .filter((folder) => folder !== '' && !addedByNpm(folder))
      .join(delimiter);
  }
  return { ...clean, ...extra };
}

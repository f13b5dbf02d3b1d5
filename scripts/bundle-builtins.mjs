// An esbuild plugin for scripts/bundle.mjs: the bundle's static imports of `node:http` load it
// through `require` instead of as an ES module.
//
// Why: importing a built-in as an ES module makes Node build its ES facade, which reads every
// export once, lazy getters included, and node:http's lazy getters (WebSocket, EventSource and
// the like) load Node's own copy of undici, which nothing in rampart uses. Measured on Node 24
// (a one-line module importing STATUS_CODES, best of three starts each): 105 ms as an ES
// import, 61 ms through require, 55 ms for an empty module. Of the other built-ins the bundle
// imports, none differed by more than this machine's noise, so the list is this one name.
import { createRequire } from 'node:module';

const VIA_REQUIRE = /^(node:)?http$/;
const NAMESPACE = 'builtin-via-require';

/**
 * `export const { a, b } = m` for every data property a built-in exports. Its getters
 * (node:http's `maxHeaderSize`, `globalAgent` and the lazy `WebSocket` & co) are reached through
 * the default export only: a named import of one fails the build (esbuild: no matching export),
 * and `import * as http` would not see them, so use the default export for those.
 */
function shim(name) {
  const builtin = createRequire(import.meta.url)(`node:${name}`);
  const names = Object.entries(Object.getOwnPropertyDescriptors(builtin))
    .filter(([key, descriptor]) => 'value' in descriptor && /^[A-Za-z_$][\w$]*$/.test(key))
    .map(([key]) => key);
  return [
    `const builtin = require('node:${name}');`,
    'export default builtin;',
    `export const { ${names.join(', ')} } = builtin;`,
  ].join('\n');
}

export const builtinsViaRequire = {
  name: NAMESPACE,
  setup(build) {
    // Only static imports: `require('http')` in CommonJS packages already goes through require.
    build.onResolve({ filter: VIA_REQUIRE }, (args) =>
      args.kind === 'import-statement' && args.namespace !== NAMESPACE
        ? { path: args.path.replace(/^node:/, ''), namespace: NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ path }) => ({
      contents: shim(path),
      loader: 'js',
    }));
  },
};

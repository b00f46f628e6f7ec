/**
 * The import direction between packages (DESIGN.md, "Packages"): react → core, vendors → core,
 * server → core's wire protocol only, conformance → everything; nothing imports upward, and the core
 * imports no transport, no framework and no Node built-in. `pnpm test` runs it (`check:deps`).
 */
const SRC = '^packages/[^/]+/src/';
module.exports = {
  forbidden: [
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves nowhere (e.g. a package not in this package.json) cannot be checked, and fails at run time.',
      from: { path: SRC },
      to: { couldNotResolve: true },
    },
    { name: 'no-circular', severity: 'error', comment: 'Module cycles hide initialisation-order bugs.', from: { path: SRC }, to: { circular: true } },
    {
      name: 'core-is-framework-free',
      severity: 'error',
      comment: 'The core runs in browsers, React Native and Node: no React, no Node built-ins, no vendor SDK.',
      from: { path: '^packages/core/src/', pathNot: '^packages/core/src/testing/' },
      to: { path: ['node_modules/(react|react-dom|ws|pusher-js|ably|socket\\.io|socket\\.io-client|ioredis)/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-without-node-builtins',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-main-imports-no-transport',
      severity: 'error',
      comment: 'Transports are subpaths; the engine never imports one (apps ship only the one they use).',
      from: { path: '^packages/core/src/', pathNot: '^packages/core/src/(transports|testing)/' },
      to: { path: '^packages/core/src/(transports|testing)/' },
    },
    {
      name: 'core-imports-no-other-package',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: '^packages/(?!core/)' },
    },
    {
      name: 'react-depends-on-core-only',
      severity: 'error',
      from: { path: '^packages/react/src/' },
      to: { path: '^packages/(?!react/|core/)' },
    },
    {
      name: 'vendors-depend-on-core-only',
      severity: 'error',
      from: { path: '^packages/(pusher|ably|socket\\.io)/src/' },
      to: { path: '^packages/(?!core/|pusher/|ably/|socket\\.io/)' },
    },
    {
      name: 'server-uses-the-wire-protocol-only',
      severity: 'error',
      comment: 'The server kit shares the protocol types and decoder with the client, nothing else.',
      from: { path: '^packages/server/src/' },
      to: { path: '^packages/(?!server/)', pathNot: '^packages/core/src/(protocol/|errors\\.ts)' },
    },
    {
      name: 'nothing-imports-conformance-or-examples',
      severity: 'error',
      from: { path: '^packages/(?!conformance/)[^/]+/src/' },
      to: { path: '^(packages/conformance|examples|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.next|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      conditionNames: ['@switchboard/source', 'import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
    },
    combinedDependencies: false,
  },
};

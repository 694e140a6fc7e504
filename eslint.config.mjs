// Layer boundaries are enforced here as well as by the per-layer TypeScript projects:
// a wrong import fails `npm run check`. See ARCHITECTURE.md, "Layers".
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'child_process', 'os', 'worker_threads', 'crypto', 'net', 'http', 'https'];
const builtinPatterns = ['node:*', ...nodeBuiltins, ...nodeBuiltins.map((name) => `${name}/*`)];

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

const restrictedEverywhere = [
  { selector: 'TSEnumDeclaration', message: 'Use a string-literal union or an `as const` object.' },
  { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces; use modules.' },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', '.tools/', 'test-results/', 'examples/**/*.py', '**/*.d.ts'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', ...restrictedEverywhere],
    },
  },
  {
    files: ['src/**/*.ts', 'webview-ui/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict(
      [
        'vscode',
        ...builtinPatterns,
        'chokidar',
        'simple-git',
        'sql.js',
        '**/node/*',
        '**/cli/*',
        '**/extension/*',
        '**/protocol/*',
        // The one shared formatting of durations and metric values (pure, imports nothing).
        '!**/protocol/formatRunValues',
        // The renderer inputs of DVC plots that src/engine/plots produces (JSON types only).
        '!**/protocol/plotViews',
      ],
      'src/engine is pure: effects come in through the ports in src/engine/ports.ts.',
    ),
  },
  {
    // Timers fail to type-check in the engine (no DOM, no Node types); the time of day compiles,
    // so it is refused here: it comes through the Clock port, which tests fake.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock port (src/engine/ports.ts).' },
      ],
      'no-restricted-syntax': [
        'error',
        ...restrictedEverywhere,
        { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: 'Use the Clock port.' },
      ],
    },
  },
  {
    files: ['src/node/**/*.ts'],
    rules: restrict(['vscode', '**/cli/*', '**/extension/*', '**/protocol/*'], 'src/node may import only src/engine.'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(
      ['vscode', '**/extension/*', '**/protocol/*', '!**/protocol/formatRunValues', '!**/protocol/plotViews'],
      'src/cli may import src/node and src/engine only (and the shared value formatting in src/protocol).',
    ),
  },
  {
    // Commands write through their CliContext (print, logger, printDiagnostic), so a unit test can
    // capture what they say and the terminal escaping stays in one place; main.ts builds that context.
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stderr', message: 'Use context.printDiagnostic or context.logger.' },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    // Siblings only (`./runRow`): the gitignore-style `!./*` negation never matched `./` paths.
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./[^/]+$)', message: 'src/protocol imports nothing: it is the JSON contract.' }] },
      ],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    rules: restrict(
      ['vscode', ...builtinPatterns, '**/src/engine/*', '**/src/node/*', '**/src/cli/*', '**/src/extension/*'],
      'webview-ui runs in the browser and may import src/protocol only.',
    ),
  },
);

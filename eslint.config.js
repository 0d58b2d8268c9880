import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.lethe/**'] },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The engine reads time only through the Clock port (libs/clock); tests and the clock itself are exempt.
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the Clock port, not Date.now().' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the Clock port, not new Date().' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.contract.ts', '**/*.fixture.ts', 'test/**', 'libs/clock/src/system-clock.ts', 'libs/testing/**', '**/*.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The web console's browser modules (served as they are, no build step).
    files: ['apps/engine/console/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'sessionStorage', 'fetch', 'URL', 'Intl', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly']),
      ),
    },
  },
);

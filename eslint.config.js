// ESLint for the whole TypeScript tree: the recommended rules of ESLint and typescript-eslint.
// Formatting is Prettier's (prettier.config.js); these rules are about correctness.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'daemon/dist/', 'daemon/build/', 'build/', 'node_modules/', 'test/fixtures/', 'inventories/lab/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Terminal output is sanitised and tested for escape sequences: matching control characters is the point there.
      'no-control-regex': 'off',
    },
  },
  {
    // The bin is CommonJS (bin/package.json): Node starts it without its ES module loader.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and benchmarks read the CLI's JSON lines and result files, whose shapes they assert on.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

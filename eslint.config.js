// Lint: typescript-eslint's recommended rules, plus import boundaries that keep the layers looking down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** No library code imports the command-line program. */
const CLI = ['**/cli/**', '../../cli/**'];

/**
 * Each layer may import only from the layers below it (see docs/architecture in DESIGN). ESLint's flat
 * config keeps only the last matching setting of a rule, so every entry carries the CLI ban too and the
 * catch-all comes first, where the layer entries after it override it.
 */
const layerRules = [
  ['src/**', []],
  ['src/storage/**', ['**/crypto/**', '**/chunker/**', '**/repository/**', '**/backup/**', '**/restore/**']],
  ['src/crypto/**', ['**/storage/**', '**/repository/**', '**/backup/**', '**/restore/**']],
  ['src/chunker/**', ['**/storage/**', '**/repository/**', '**/backup/**', '**/restore/**']],
  [
    'src/repository/**',
    [
      '**/backup/**',
      '**/restore/**',
      '**/check/**',
      '**/retention/**',
      '**/config/**',
      '**/audit/**',
      '**/notify/**',
      '**/daemon/**',
      '**/drill/**',
    ],
  ],
  // The layers added for the daemon: presentation and settings below everything that uses them, and
  // notifications needing nothing from the repository (so alerts go out when it cannot be opened).
  ['src/ui/**', ['../*/**']],
  [
    'src/config/**',
    [
      '**/backup/**',
      '**/restore/**',
      '**/check/**',
      '**/audit/**',
      '**/notify/**',
      '**/daemon/**',
      '**/drill/**',
    ],
  ],
  [
    'src/notify/**',
    ['**/storage/**', '**/repository/**', '**/audit/**', '**/daemon/**', '**/drill/**', '**/backup/**'],
  ],
  ['src/daemon/**', ['**/drill/**', '**/backup/**', '**/restore/**']],
].map(([files, group]) => ({
  files: [files],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: [...group, ...CLI], message: 'layers only import from layers below them' }] },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);

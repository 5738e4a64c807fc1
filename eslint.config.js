// Lint: typescript-eslint's recommended rules, plus import boundaries that keep the layers looking down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each layer may import only from the layers below it (see docs/architecture in DESIGN). */
const layerRules = [
  [
    'src/storage/**',
    ['**/crypto/**', '**/chunker/**', '**/repository/**', '**/backup/**', '**/restore/**', '**/cli/**'],
  ],
  ['src/crypto/**', ['**/storage/**', '**/repository/**', '**/backup/**', '**/restore/**', '**/cli/**']],
  ['src/chunker/**', ['**/storage/**', '**/repository/**', '**/backup/**', '**/restore/**', '**/cli/**']],
  [
    'src/repository/**',
    [
      '**/backup/**',
      '**/restore/**',
      '**/check/**',
      '**/retention/**',
      '**/daemon/**',
      '**/drill/**',
      '**/cli/**',
    ],
  ],
  ['src/**', ['**/cli/**', '../../cli/**']],
].map(([files, group]) => ({
  files: [files],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group, message: 'layers only import from layers below them' }] },
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

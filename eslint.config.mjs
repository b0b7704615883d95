import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings from the config module.' }],
    },
  },
  {
    files: ['src/config/**', 'test/**', 'bench/**', 'src/main.ts', 'src/cli.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // End-to-end tests read loosely typed JSON bodies off the wire.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

// Builds the staff console to static files the API serves at /console/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  // the API's answer types and status lists, shared with apps/api
  resolve: { alias: { '@edi/contracts': `${repo}libs/contracts/src` } },
  // No React plugin: oxc turns JSX into calls to react/jsx-runtime; there is no fast refresh in dev.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: `${repo}dist/console`,
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `npm run console:dev` against an API started locally with `npm run start:api`.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});

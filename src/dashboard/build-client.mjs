// Builds the dashboard's static files into dist/dashboard: the browser code bundled by esbuild (with the
// Markdown renderer, the sanitiser and the diff), the page and the stylesheet copied as they are.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', '..', 'dist', 'dashboard');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(here, 'client', 'main.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox111', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
await copyFile(path.join(here, 'public', 'index.html'), path.join(out, 'index.html'));
await copyFile(path.join(here, 'public', 'app.css'), path.join(out, 'app.css'));

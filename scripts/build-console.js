#!/usr/bin/env node
// Builds the console's single-page application into dist/console-web with esbuild: one bundle
// from npm packages (Preact), one stylesheet, the page. Nothing is fetched from a CDN at run time.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const WEB = path.join(ROOT, 'apps', 'console', 'web');

async function buildConsole(outDir = path.join(ROOT, 'dist', 'console-web')) {
  // Built beside, then swapped in: a failed build leaves the last good page in place.
  const building = `${outDir}.building`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(WEB, 'main.tsx')],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: path.join(building, 'app.js'),
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(WEB, 'styles.css'), path.join(building, 'app.css'));
  fs.copyFileSync(path.join(WEB, 'index.html'), path.join(building, 'index.html'));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(building, outDir);
  return outDir;
}

module.exports = { buildConsole };

if (require.main === module)
  buildConsole().then(
    (dir) => console.log(`[ledger] console built into ${path.relative(process.cwd(), dir)}`),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );

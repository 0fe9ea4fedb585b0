// The operators' CLI (`npm run cli -- …`) from compiled JavaScript: src/ is compiled file by file into
// build/ (same layout, so paths relative to a module still find sop/ and the migrations) with esbuild,
// again only when a source changed since the last build. Plain JavaScript: no TypeScript loader starts.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const out = path.join(root, 'build');
const stampFile = path.join(out, '.stamp');

/** Every source file (tests aside) with the newest modification time: the build's fingerprint. */
function sources() {
  const ts = [];
  const other = [];
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.test\.ts$/u.test(e.name)) {
        newest = Math.max(newest, statSync(p).mtimeMs);
        (e.name.endsWith('.ts') ? ts : other).push(p);
      }
    }
  };
  walk(src);
  return { ts, other, stamp: `${ts.length + other.length}:${newest}` };
}

async function rebuild(s) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (existsSync(path.join(out, 'console', 'cli.js'))) return; // an older build, no compiler: use it
    process.stderr.write('siyu-bot cli: esbuild is missing (a devDependency); run "npm install", or "npx tsx src/console/cli.ts …"\n');
    process.exit(2);
  }
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({ entryPoints: s.ts, outdir: tmp, outbase: src, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  for (const f of s.other) {
    const to = path.join(tmp, path.relative(src, f));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(f, to);
  }
  writeFileSync(path.join(tmp, '.stamp'), s.stamp);
  writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
  rmSync(out, { recursive: true, force: true });
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another call built it meanwhile
  }
}

const s = sources();
const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (built !== s.stamp) await rebuild(s);
const { main } = await import(pathToFileURL(path.join(out, 'console', 'cli.js')).href);
await main(process.argv.slice(2));

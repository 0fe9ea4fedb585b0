// Entry of the import's parsing thread (see row-source.ts): loads parse-rows.worker, compiled or,
// when the project runs from its TypeScript sources, through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('./parse-rows.worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./parse-rows.worker.ts', import.meta.url);
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImports, importsOf } from './layers.js';

/** Writes a small src/ tree: `{ 'admin/a.ts': '…' }`. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arch-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the import rules of src/ (test/architecture/layers.ts)', () => {
  it('hold for the shipped tree: no import into another capability or shared layer but through its index.ts', () => {
    const problems = checkImports(path.resolve('src'));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('keep a light reports surface light: what it loads stays in its folder, core/, platform/db/ and other light surfaces', () => {
    const src = tree({
      'guide-sop/index.ts': '',
      'guide-sop/reports.surface.ts': "export { report } from './report.js';\n",
      'guide-sop/report.ts':
        "import type { Outbox } from '../outbox/index.js';\nimport { birthdays } from '../members/reports.surface.js';\nimport { feed } from '../outbox/index.js';\nexport const report = 1;\n",
      'members/index.ts': '',
      'members/reports.surface.ts': "export { birthdays } from './care.rules.js';\n",
      'members/care.rules.ts': "import { x } from '../core/time.js';\nexport const birthdays = 1;\n",
      'core/time.ts': 'export const x = 1;\n',
      'outbox/index.ts': 'export const feed = 1;\n',
    });
    expect(checkImports(src)).toEqual([
      'src/guide-sop/reports.surface.ts loads src/outbox/index.ts at run time (through guide-sop/reports.surface.ts → guide-sop/report.ts → outbox/index.ts): a reports surface stays inside src/guide-sop/, core/ and platform/db/',
    ]);
  });

  it('name the file, the line, the import to write instead and the export the index lacks', () => {
    const src = tree({
      'campaigns/index.ts': "export { CampaignsRepo } from './campaigns.repo.js';\n",
      'campaigns/campaigns.repo.ts': 'export class CampaignsRepo {}\nexport class CampaignService {}\n',
      'admin/index.ts': '',
      'admin/admin.handlers.ts': "import type { Logger } from '../core/logger.js';\nimport { CampaignsRepo, CampaignService } from '../campaigns/campaigns.repo.js';\n",
    });
    expect(checkImports(src)).toEqual([
      "src/admin/admin.handlers.ts:2 imports '../campaigns/campaigns.repo.js', an internal of the capability src/campaigns/: import from '../campaigns/index.js' instead; add to src/campaigns/index.ts: `export { CampaignService } from './campaigns.repo.js';` (write `type` before a name that is only a type)",
    ]);
  });

  it('refuse a library importing a capability, a shared layer importing a capability, and a library running shared-layer code', () => {
    const src = tree({
      'members/index.ts': "export { x } from './x.js';\n",
      'members/x.ts': 'export const x = 1;\n',
      'outbox/index.ts': "export { Outbox } from './outbox.js';\n",
      'outbox/outbox.ts': 'export class Outbox {}\n',
      'core/a.ts': "import { x } from '../members/index.js';\nimport { Outbox } from '../outbox/index.js';\nimport type { Outbox as O } from '../outbox/index.js';\n",
      'outbox/b.ts': "import { x } from '../members/index.js';\n",
    });
    const problems = checkImports(src);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^src\/core\/a\.ts:1 .* a library and may not import a capability/);
    expect(problems[1]).toMatch(/^src\/core\/a\.ts:2 .* shared layer's types only: write `import type \{ Outbox \} from '\.\.\/outbox\/index\.js'`/);
    expect(problems[2]).toMatch(/^src\/outbox\/b\.ts:1 .* a shared layer and may not import a capability/);
  });

  it('leave test code and the composition root their freedom, and ask for a new folder to be classified', () => {
    const src = tree({
      'sla/index.ts': '',
      'sla/sla.repo.ts': 'export class SlaRepo {}\n',
      'inbound/index.ts': '',
      'inbound/ingest.ts': 'export class Ingest {}\n',
      'members/index.ts': '',
      'members/x.test.ts': "import { SlaRepo } from '../sla/sla.repo.js';\n",
      'members/testing.ts': "import { SlaRepo } from '../sla/sla.repo.js';\n",
      'app.ts': "import { Ingest } from './inbound/ingest.js';\nimport { SlaRepo } from './sla/sla.repo.js';\n",
      'newthing/a.ts': '',
    });
    expect(checkImports(src)).toEqual([
      'src/newthing/ is not classified: add it to LIBRARIES, SHARED_LAYERS or CAPABILITIES in test/architecture/layers.ts (a shared layer or capability publishes what others may use in its index.ts)',
      "src/app.ts:2 imports './sla/sla.repo.js', an internal of the capability src/sla/: import from './sla/index.js' instead; add to src/sla/index.ts: `export { SlaRepo } from './sla.repo.js';` (write `type` before a name that is only a type)",
    ]);
  });

  it('read every form of import: named, type-only, re-export, import() and import types', () => {
    const refs = importsOf(
      'x.ts',
      "import { a, type B } from './a.js';\nimport type { C } from './c.js';\nexport { d } from './d.js';\nconst e = await import('./e.js');\nlet f: import('./f.js').F;\nimport pkg from 'pkg';\n",
    );
    expect(refs.map((r) => [r.line, r.specifier, r.names.join(','), r.typeOnly])).toEqual([
      [1, './a.js', 'a,B', false],
      [2, './c.js', 'C', true],
      [3, './d.js', 'd', false],
      [4, './e.js', '*', false],
      [5, './f.js', 'F', true],
    ]);
  });
});

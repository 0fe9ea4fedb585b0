/**
 * The import rules of `src/`, as data and one checker (test/architecture/imports.test.ts runs it).
 *
 * - Libraries (`core/`, `platform/`): anyone may import any of their modules. They import only each
 *   other, `src/config.ts`, and (type-only) a shared layer's `index.ts`: the capability contract names
 *   the router, outbox and scheduler types, nothing of theirs runs from a library. Never a capability.
 * - Shared layers (`inbound/`, `outbox/`, `schedules/`, `accounts/`): the one way in, the one way out,
 *   the timers and the accounts. Others import them through their `index.ts`; they never import a capability.
 * - Capabilities (`admin/`, `campaigns/`, `console/`, `friends/`, `groups/`, `guide-sop/`, `members/`,
 *   `sla/`, `wakeup/`): each publishes what others may use in its `index.ts`; another folder imports
 *   only that. Inside its own folder (sub-folders included) a capability imports what it likes.
 *   A capability may also publish a light, read-only surface in `reports.surface.ts` (reports for the CLI and the
 *   console): others may import it like `index.ts`, and what it loads at run time stays inside its own
 *   folder, `core/`, `platform/db/` and other capabilities' light surfaces (no queue client, no outbox),
 *   so a CLI report starts fast.
 * - Composition root (`src/app.ts`, `src/main.ts`, `src/capabilities.ts`, `src/config.ts`): builds the
 *   shared layers, so it may import their internals (the ingest, the sender, the repos); capabilities
 *   only through their `index.ts`. Nothing but the root itself and tests imports app.ts, main.ts or capabilities.ts.
 * - Test code (`*.test.ts`, a folder's `testing.ts`, `*.fixture.ts`, everything under `test/`) may import
 *   any module: it arranges and inspects state across capabilities the way a user's action does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const LIBRARIES = ['core', 'platform'] as const;
export const SHARED_LAYERS = ['inbound', 'outbox', 'schedules', 'accounts', 'gateway'] as const;
export const CAPABILITIES = ['admin', 'campaigns', 'console', 'friends', 'groups', 'guide-sop', 'members', 'sla', 'wakeup'] as const;
export const COMPOSITION_ROOT = ['app.ts', 'main.ts', 'capabilities.ts', 'config.ts'] as const;

type Kind = 'library' | 'shared layer' | 'capability';

function kindOf(folder: string): Kind | null {
  if ((LIBRARIES as readonly string[]).includes(folder)) return 'library';
  if ((SHARED_LAYERS as readonly string[]).includes(folder)) return 'shared layer';
  if ((CAPABILITIES as readonly string[]).includes(folder)) return 'capability';
  return null;
}

/** Test code, which may import anything. */
export function isTestCode(rel: string): boolean {
  const base = path.posix.basename(rel);
  return base.endsWith('.test.ts') || base === 'testing.ts' || base.endsWith('.fixture.ts');
}

interface ImportRef {
  line: number;
  specifier: string;
  /** Names imported (`default`, `*` for a namespace or a bare import). */
  names: string[];
  typeOnly: boolean;
}

/** Every relative import, re-export and `import()` of a file, parsed by the TypeScript compiler. */
export function importsOf(file: string, text: string = readFileSync(file, 'utf8')): ImportRef[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const names: string[] = [];
      let allTypes = Boolean(c?.isTypeOnly);
      if (c?.name) names.push('default');
      if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.push('*');
      if (c?.namedBindings && ts.isNamedImports(c.namedBindings)) {
        const els = c.namedBindings.elements;
        for (const e of els) names.push((e.propertyName ?? e.name).text);
        if (!c.isTypeOnly && !c.name && els.length > 0 && els.every((e) => e.isTypeOnly)) allTypes = true;
      }
      if (!c) names.push('*');
      out.push({ line: lineOf(node), specifier: node.moduleSpecifier.text, names, typeOnly: allTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements.map((e) => (e.propertyName ?? e.name).text) : ['*'];
      out.push({ line: lineOf(node), specifier: node.moduleSpecifier.text, names, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push({ line: lineOf(node), specifier: node.arguments[0].text, names: ['*'], typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ line: lineOf(node), specifier: node.argument.literal.text, names: [node.qualifier ? node.qualifier.getText(sf).split('.')[0]! : '*'], typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((i) => i.specifier.startsWith('.'));
}

/** The names a folder's index.ts exports (empty when it has none). */
function indexExports(srcDir: string, folder: string): Set<string> {
  const file = path.join(srcDir, folder, 'index.ts');
  if (!existsSync(file)) return new Set();
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const names = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)) for (const e of s.exportClause.elements) names.add(e.name.text);
    else if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name) names.add(s.name.text);
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return names;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/**
 * Every broken rule under `srcDir`, each one line a person can act on: the file and line, what it
 * imports, and the import to write instead (with the export to add to the index.ts when it lacks it).
 */
export function checkImports(srcDir: string): string[] {
  const problems: string[] = [];
  const posix = (p: string) => p.split(path.sep).join('/');
  for (const entry of readdirSync(srcDir)) {
    if (!statSync(path.join(srcDir, entry)).isDirectory() || kindOf(entry)) continue;
    problems.push(
      `src/${entry}/ is not classified: add it to LIBRARIES, SHARED_LAYERS or CAPABILITIES in test/architecture/layers.ts (a shared layer or capability publishes what others may use in its index.ts)`,
    );
  }
  const exportsCache = new Map<string, Set<string>>();
  const exportsOf = (folder: string) => exportsCache.get(folder) ?? exportsCache.set(folder, indexExports(srcDir, folder)).get(folder)!;

  for (const file of walk(srcDir)) {
    const rel = posix(path.relative(srcDir, file));
    if (isTestCode(rel)) continue;
    const parts = rel.split('/');
    const from = parts.length > 1 ? parts[0]! : null;
    const fromKind = from ? kindOf(from) : null;
    for (const imp of importsOf(file)) {
      const target = posix(path.relative(srcDir, path.resolve(path.dirname(file), imp.specifier)));
      const tParts = target.split('/');
      const where = `src/${rel}:${imp.line}`;
      if (tParts[0] === '..') continue;
      if (tParts.length === 1) {
        if (target !== 'config.js' && from !== null)
          problems.push(`${where} imports '${imp.specifier}': only tests import the composition root (src/${target.replace(/\.js$/u, '.ts')})`);
        continue;
      }
      const to = tParts[0]!;
      if (to === from) continue;
      const toKind = kindOf(to);
      if (!toKind || toKind === 'library') continue;
      const isIndex = tParts.length === 2 && (tParts[1] === 'index.js' || (toKind === 'capability' && tParts[1] === REPORTS_SURFACE));
      const indexSpec = posix(path.relative(path.dirname(file), path.join(srcDir, to, 'index.js')));
      const indexPath = indexSpec.startsWith('.') ? indexSpec : `./${indexSpec}`;
      if (fromKind === 'library') {
        if (toKind === 'capability')
          problems.push(`${where} imports '${imp.specifier}': src/${from}/ is a library and may not import a capability (src/${to}/); move what both need into src/${from}/`);
        else if (!isIndex || !imp.typeOnly)
          problems.push(
            `${where} imports '${imp.specifier}': a library may import a shared layer's types only: write \`import type { ${imp.names.join(', ')} } from '${indexPath}'\``,
          );
        continue;
      }
      if (fromKind === 'shared layer' && toKind === 'capability') {
        problems.push(
          `${where} imports '${imp.specifier}': src/${from}/ is a shared layer and may not import a capability (src/${to}/); let the capability hand it in (a parameter, the capability context) instead`,
        );
        continue;
      }
      if (isIndex) continue;
      if (from === null && toKind === 'shared layer') continue; // the composition root builds the shared layers
      const have = exportsOf(to);
      const module = `./${tParts.slice(1).join('/')}`;
      const missing = imp.names.filter((n) => n === '*' || n === 'default' || !have.has(n));
      const add =
        missing.length === 0
          ? ''
          : missing.some((n) => n === '*' || n === 'default')
            ? `; name what it uses and add those names to src/${to}/index.ts (\`export { … } from '${module}'\`)`
            : `; add to src/${to}/index.ts: \`export { ${missing.join(', ')} } from '${module}';\` (write \`type\` before a name that is only a type)`;
      problems.push(`${where} imports '${imp.specifier}', an internal of the ${toKind} src/${to}/: import from '${indexPath}' instead${add}`);
    }
  }
  for (const folder of CAPABILITIES) {
    const surface = path.join(srcDir, folder, REPORTS_SURFACE.replace(/\.js$/u, '.ts'));
    if (existsSync(surface)) problems.push(...heavyImports(srcDir, folder, surface));
  }
  return problems;
}

/** A capability's light surface (see the rules above). */
export const REPORTS_SURFACE = 'reports.surface.js';

/** What a `reports.surface.ts` surface loads at run time outside its folder, `core/` and `platform/db/` (followed through every relative import that is not type-only). */
function heavyImports(srcDir: string, folder: string, surface: string): string[] {
  const posix = (p: string) => p.split(path.sep).join('/');
  // Another capability's light surface may be used too (then its own rule holds inside it).
  const light = new Set<string>([folder]);
  const allowed = (rel: string) => [...light].some((f) => rel.startsWith(`${f}/`)) || rel.startsWith('core/') || rel.startsWith('platform/db/') || rel === 'config.ts';
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string, via: string[]) => {
    const rel = posix(path.relative(srcDir, file));
    const [top, base] = rel.split('/');
    if (base === REPORTS_SURFACE.replace(/\.js$/u, '.ts') && (CAPABILITIES as readonly string[]).includes(top!)) light.add(top!);
    if (seen.has(rel)) return;
    seen.add(rel);
    if (!allowed(rel)) {
      problems.push(
        `src/${folder}/reports.surface.ts loads src/${rel} at run time (through ${via.join(' → ')}): a reports surface stays inside src/${folder}/, core/ and platform/db/`,
      );
      return;
    }
    for (const imp of importsOf(file)) {
      if (imp.typeOnly) continue;
      const target = path.resolve(path.dirname(file), imp.specifier).replace(/\.js$/u, '.ts');
      if (existsSync(target)) visit(target, [...via, posix(path.relative(srcDir, target))]);
    }
  };
  visit(surface, [`${folder}/reports.surface.ts`]);
  return problems;
}

// The core runs on Web standards alone (DESIGN.md), so a Workers root loads it unchanged: no module under
// src/ (tests aside) names a Node built-in or a Node-only global, and every one of them, with the packages
// it imports, bundles for a neutral platform as wrangler does and loads where only Web globals exist.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const SRC = join(ROOT, 'src');

/** Every module of the core: the .ts files under src/ but tests. */
function coreModules(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(SRC, file))
    .sort();
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!);

/** Globals that exist on Node but not on Workers (or in a browser). */
const NODE_GLOBALS = new Set([
  'Buffer',
  'process',
  'setImmediate',
  'clearImmediate',
  '__dirname',
  '__filename',
  'require',
  'module',
  'exports',
  'global',
  'NodeJS',
]);

/** Node-only uses in one module's source: built-in imports, require(), and Node-only globals (code or types). */
function nodeOnlyUses(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const found: string[] = [];
  const at = (node: ts.Node) => `${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;

  const collect = (node: ts.Node): void => {
    // Names the module declares itself (a local `process` function is not Node's).
    const named = node as ts.Node & { name?: ts.Node };
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isParameter(node) ||
        ts.isImportSpecifier(node) ||
        ts.isImportClause(node) ||
        ts.isNamespaceImport(node) ||
        ts.isTypeAliasDeclaration(node) ||
        ts.isInterfaceDeclaration(node) ||
        ts.isEnumDeclaration(node)) &&
      named.name &&
      ts.isIdentifier(named.name)
    ) {
      declared.add(named.name.text);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
      if (isNodeBuiltin(specifier)) found.push(`line ${at(node)}: imports '${specifier}'`);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const specifier = first && ts.isStringLiteralLike(first) ? first.text : undefined;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && specifier !== undefined && isNodeBuiltin(specifier)) {
        found.push(`line ${at(node)}: imports '${specifier}'`);
      }
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (
        ts.isLiteralTypeNode(argument) &&
        ts.isStringLiteral(argument.literal) &&
        isNodeBuiltin(argument.literal.text)
      ) {
        found.push(`line ${at(node)}: imports '${argument.literal.text}'`);
      }
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      // globalThis.process, self.Buffer…
      const host = node.expression.text;
      if ((host === 'globalThis' || host === 'self') && NODE_GLOBALS.has(node.name.text)) {
        found.push(`line ${at(node)}: uses ${host}.${node.name.text}`);
      }
    } else if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && !declared.has(node.text) && isReference(node)) {
      found.push(`line ${at(node)}: uses ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Whether an identifier reads a variable or type (not `x.name`, `{ name: … }`, a declaration or a label). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if (
    (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  if ((ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isEnumMember(parent) || ts.isLabeledStatement(parent)) return false;
  return true;
}

describe('the core on Web standards', () => {
  const modules = coreModules();

  it('finds the modules of the core', () => {
    expect(modules.length).toBeGreaterThan(50);
    expect(modules).toContain(join(SRC, 'domain/secrets.ts'));
  });

  it('names no Node built-in module and no Node-only global in any module under src/', () => {
    const offences = modules.flatMap((file) =>
      nodeOnlyUses(file, readFileSync(file, 'utf8')).map((use) => `${relative(ROOT, file)} ${use}`),
    );
    expect(offences).toEqual([]);
  });

  it('catches what it is there to catch', () => {
    const probe = [
      "import { createHash } from 'node:crypto';",
      "import { readFile } from 'fs/promises';",
      "const sql = await import('node:sqlite');",
      "const fs = require('fs');",
      'const bytes = Buffer.from("a");',
      'const port = process.env.PORT;',
      'setImmediate(() => {});',
      'const g = globalThis.process;',
      'let timer: NodeJS.Timeout;',
      "type H = import('node:http').Server;",
    ].join('\n');
    expect(nodeOnlyUses('probe.ts', probe)).toEqual([
      "line 1: imports 'node:crypto'",
      "line 2: imports 'fs/promises'",
      "line 3: imports 'node:sqlite'",
      'line 4: uses require',
      'line 5: uses Buffer',
      'line 6: uses process',
      'line 7: uses setImmediate',
      'line 8: uses globalThis.process',
      'line 9: uses NodeJS',
      "line 10: imports 'node:http'",
    ]);
    const innocent = [
      "import { process as run } from './steps.js';",
      'function handle(process: string) { return process; }',
      'const report = { process: 1, Buffer: 2 };',
      'report.process;',
      '// Buffer and process.env are not used here; nor is require.',
      "const text = 'no Buffer, no process.env';",
    ].join('\n');
    expect(nodeOnlyUses('innocent.ts', innocent)).toEqual([]);
  });

  it('bundles every module with its packages for a platform without Node built-ins, and loads it with Web globals only', async () => {
    // One entry re-exporting every module, so nothing is left out of the bundle.
    const entry = modules
      .map((file, i) => `export * as m${i} from ${JSON.stringify(`./${relative(ROOT, file)}`)};`)
      .join('\n');
    const result = await build({
      stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'core-entry.ts', loader: 'ts' },
      bundle: true,
      write: false,
      // What wrangler does for a Worker without Node compatibility.
      platform: 'neutral',
      mainFields: ['browser', 'module', 'main'],
      conditions: ['workerd', 'worker', 'browser'],
      format: 'iife',
      globalName: 'core',
      target: 'es2022',
      logLevel: 'silent',
    }).catch((error: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
      const errors = (error.errors ?? []).map(
        (e) => `${e.location ? `${e.location.file}:${e.location.line} ` : ''}${e.text}`,
      );
      throw new Error(`the core does not bundle without Node built-ins:\n${errors.join('\n') || String(error)}`);
    });
    const code = result.outputFiles[0]!.text;

    // The globals a Worker has (no process, Buffer, require, setImmediate, global); the context brings its own
    // JavaScript built-ins (Object, Intl, Date…).
    const web = [
      'crypto',
      'TextEncoder',
      'TextDecoder',
      'URL',
      'URLSearchParams',
      'atob',
      'btoa',
      'console',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'structuredClone',
      'performance',
      'fetch',
      'Request',
      'Response',
      'Headers',
      'FormData',
      'Blob',
      'AbortController',
      'AbortSignal',
      'ReadableStream',
      'WritableStream',
      'TransformStream',
      'Event',
      'EventTarget',
      'DOMException',
    ] as const;
    const globals: Record<string, unknown> = Object.fromEntries(web.map((name) => [name, globalThis[name]]));
    const context: Record<string, unknown> = { ...globals };
    const core = runInNewContext(`${code}\ncore`, context, { filename: 'core-bundle.js' }) as Record<
      string,
      Record<string, unknown>
    >;
    for (const name of ['process', 'Buffer', 'require', 'setImmediate', 'global']) {
      expect(runInNewContext(`typeof ${name}`, context), name).toBe('undefined');
    }
    expect(Object.keys(core)).toHaveLength(modules.length);

    // The core's own use of Web Crypto works there: hashing and checking a secret, from the bundle.
    const secrets = core[`m${modules.indexOf(join(SRC, 'domain/secrets.ts'))}`] as {
      hashSecret: (secret: string) => Promise<string>;
      verifySecret: (secret: string, stored: string) => Promise<boolean>;
    };
    const hash = await secrets.hashSecret('2468');
    expect(await secrets.verifySecret('2468', hash)).toBe(true);
    expect(await secrets.verifySecret('1357', hash)).toBe(false);
  }, 60_000);
});

// Module hooks for register-ts.mjs: resolve `.js` specifiers to `.ts` sources and `@app/shared`
// to libs/shared/src, then compile TypeScript with SWC.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';

const repo = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = join(repo, 'libs', 'shared', 'src');

const swcOptions = (filename) => ({
  filename,
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
});

function tsFileFor(path) {
  if (path.endsWith('.js') && !existsSync(path) && existsSync(`${path.slice(0, -3)}.ts`)) return `${path.slice(0, -3)}.ts`;
  if (!/\.[cm]?[jt]s$/.test(path) && existsSync(`${path}.ts`)) return `${path}.ts`;
  return undefined;
}

export async function resolve(specifier, context, next) {
  if (specifier === '@app/shared') return { url: pathToFileURL(join(shared, 'index.ts')).href, shortCircuit: true };
  if (specifier.startsWith('@app/shared/')) {
    const path = tsFileFor(join(shared, specifier.slice('@app/shared/'.length)));
    if (path) return { url: pathToFileURL(path).href, shortCircuit: true };
  }
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && context.parentURL?.startsWith('file:')) {
    const path = tsFileFor(resolvePath(dirname(fileURLToPath(context.parentURL)), specifier));
    if (path) return { url: pathToFileURL(path).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, 'utf8'), swcOptions(filename));
  return { format: 'module', source: code, shortCircuit: true };
}

// Module hooks for register-ts.mjs: resolve `.js` specifiers to `.ts` sources and the library
// aliases (`@app/shared`, `@app/stripe-sync`) to their sources, then compile TypeScript with SWC.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';
import { LIBRARY_ALIASES, SWC_OPTIONS } from './typescript-sources.mjs';

const repo = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');

const swcOptions = (filename) => ({ ...SWC_OPTIONS, filename });

function tsFileFor(path) {
  if (path.endsWith('.js') && !existsSync(path) && existsSync(`${path.slice(0, -3)}.ts`)) return `${path.slice(0, -3)}.ts`;
  if (!/\.[cm]?[jt]s$/.test(path) && existsSync(`${path}.ts`)) return `${path}.ts`;
  return undefined;
}

export async function resolve(specifier, context, next) {
  for (const [alias, dir] of Object.entries(LIBRARY_ALIASES)) {
    if (specifier === alias) return { url: pathToFileURL(join(repo, dir, 'index.ts')).href, shortCircuit: true };
    if (specifier.startsWith(`${alias}/`)) {
      const path = tsFileFor(join(repo, dir, specifier.slice(alias.length + 1)));
      if (path) return { url: pathToFileURL(path).href, shortCircuit: true };
    }
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

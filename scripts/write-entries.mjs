// tsc keeps the monorepo's folder layout under dist/apps/<app>/ (the app and libs/shared side by
// side), so each app's real entry is dist/apps/<app>/apps/<app>/src/main.js. This writes the
// documented entry point dist/apps/<app>/main.js next to it.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './lib/setup.mjs';

for (const app of process.argv.slice(2)) {
  const nested = join(repo, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!existsSync(nested)) throw new Error(`${nested} is missing: build ${app} first`);
  writeFileSync(join(repo, 'dist', 'apps', app, 'main.js'), `import './apps/${app}/src/main.js';\n`);
}

import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { cliFailureMessage } from './cli.errors.js';
import { CliModule } from './cli.module.js';

// Development convenience, as in the apps: ./.env, never overriding the real environment.
if (existsSync('.env')) process.loadEnvFile('.env');

await CommandFactory.run(CliModule, {
  logger: false,
  serviceErrorHandler: (err) => {
    process.stderr.write(cliFailureMessage(err));
    process.exitCode = 1;
  },
});
// Kafka, Redis and HTTP clients are closed by now; keep-alive sockets must not hold the CLI open.
process.exit(process.exitCode ?? 0);

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectCommander } from 'nest-commander';
import { loadCliRuntime, type CliEnv } from './cli.env.js';
import { CliLogger } from './cli-logger.js';
import { consoleOutput, type CliOutput } from './cli-output.js';

/** What every command runs with: the environment, stdout/stderr, the stderr logger. */
@Injectable()
export class CliRuntime implements OnModuleInit {
  readonly env: CliEnv = process.env;
  readonly out: CliOutput = consoleOutput;
  private cachedLogger?: CliLogger;

  constructor(@InjectCommander() private readonly program: { name(name: string): unknown }) {}

  onModuleInit(): void {
    this.program.name('nudges-cli');
  }

  /** Created on first use, so a bad LOG_LEVEL is reported like any other configuration problem. */
  get logger(): CliLogger {
    this.cachedLogger ??= new CliLogger(loadCliRuntime(this.env));
    return this.cachedLogger;
  }

  /** The command's result becomes the process's exit code. */
  exit(code: number): void {
    process.exitCode = code;
  }
}

import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliRuntime } from '../cli-runtime.js';
import { withBroadcasts } from '../cli.runners.js';
import type { BroadcastListOptions } from './broadcast-status.cli.js';

@SubCommand({ name: 'list', description: 'the most recent broadcasts, newest first, with their state and counts' })
export class BroadcastListCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run(_args: string[], options: BroadcastListOptions): Promise<void> {
    this.cli.exit(await withBroadcasts(this.cli.env, (broadcasts) => broadcasts.list(options, this.cli.out)));
  }

  @Option({ flags: '--limit <n>', description: 'how many (default 20)' })
  parseLimit(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error('--limit must be a whole number of at least 1');
    return n;
  }

  @Option({ flags: '--json', description: 'one JSON object per broadcast and line' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'show',
  arguments: '<id>',
  description: 'one broadcast: state, counts, times, delivery receipts; for a failed one why and whether it can be resumed',
})
export class BroadcastShowCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run([id]: string[], options: { json?: boolean }): Promise<void> {
    this.cli.exit(await withBroadcasts(this.cli.env, (broadcasts) => broadcasts.show(id!, options, this.cli.out)));
  }

  @Option({ flags: '--json', description: 'as JSON' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'broadcast',
  description: 'announcement broadcasts as the broadcaster records them (Redis, REDIS_KEY_PREFIX)',
  subCommands: [BroadcastListCommand, BroadcastShowCommand],
})
export class BroadcastCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = 1;
  }
}

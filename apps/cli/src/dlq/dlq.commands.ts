import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliRuntime } from '../cli-runtime.js';
import { withDlq } from '../cli.runners.js';
import type { ListOptions, ReplayCommandOptions } from './dlq.cli.js';

@SubCommand({ name: 'list', description: 'list the dead letters, oldest first, with their replay status' })
export class DlqListCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run(_args: string[], options: ListOptions): Promise<void> {
    this.cli.exit(await withDlq(this.cli.env, this.cli.logger, (dlq) => dlq.list(options, this.cli.out)));
  }

  @Option({ flags: '--reason <code>', description: "only this reason code (a trailing * matches a prefix, e.g. 'twilio.*')" })
  parseReason(value: string): string {
    return value;
  }

  @Option({ flags: '--source <source>', description: 'only dead letters of notifier or webhooks', choices: ['notifier', 'webhooks'] })
  parseSource(value: string): string {
    return value;
  }

  @Option({
    flags: '--origin <origin>',
    description: 'only dead letters written by this project (edge) or by a C# handler (csharp)',
    choices: ['edge', 'csharp'],
  })
  parseOrigin(value: string): string {
    return value;
  }

  @Option({ flags: '--pending', description: 'only dead letters not replayed yet' })
  parsePending(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'one JSON object per dead letter and line' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({ name: 'show', arguments: '<id>', description: 'show one dead letter (ours or C#-written) with its original message, masked' })
export class DlqShowCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run([id]: string[], options: { json?: boolean }): Promise<void> {
    this.cli.exit(await withDlq(this.cli.env, this.cli.logger, (dlq) => dlq.show(id!, options, this.cli.out)));
  }

  @Option({ flags: '--json', description: 'as JSON' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'replay',
  arguments: '[ids...]',
  description:
    'republish dead letters to their original topic (Stripe events: run them through the Stripe handlers again; C#-written ones only when they are a SendSms of the notifications topic)',
})
export class DlqReplayCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run(ids: string[], options: ReplayCommandOptions): Promise<void> {
    this.cli.exit(await withDlq(this.cli.env, this.cli.logger, (dlq) => dlq.replay(ids, options, this.cli.out)));
  }

  @Option({ flags: '--all', description: 'every dead letter with the --reason code' })
  parseAll(): boolean {
    return true;
  }

  @Option({ flags: '--reason <code>', description: "with --all: the reason code (a trailing * matches a prefix; '*' matches all)" })
  parseReason(value: string): string {
    return value;
  }

  @Option({ flags: '--force', description: 'replay even if already replayed (the notifier still delivers it at most once)' })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'only say what would be replayed' })
  parseDryRun(): boolean {
    return true;
  }
}

@Command({
  name: 'dlq',
  description: 'inspect and replay the dead-letter topic (KAFKA_TOPIC_DEADLETTER)',
  subCommands: [DlqListCommand, DlqShowCommand, DlqReplayCommand],
})
export class DlqCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = 1;
  }
}

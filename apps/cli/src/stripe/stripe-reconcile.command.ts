import { Command, CommandRunner, Option } from 'nest-commander';
import { CliRuntime } from '../cli-runtime.js';
import { runReconcile } from '../cli.runners.js';

@Command({
  name: 'stripe-reconcile',
  description:
    'run the Stripe events of the handled types created since --since through the webhook handlers (already processed ones are skipped)',
})
export class StripeReconcileCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run(_args: string[], options: { since?: string; dryRun?: boolean }): Promise<void> {
    this.cli.exit(await runReconcile(this.cli.env, options.since, { dryRun: options.dryRun ?? false }, this.cli.out, this.cli.logger));
  }

  @Option({ flags: '--since <time>', description: 'Unix seconds, an ISO-8601 time, or an age (90m, 48h, 7d)', required: true })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--dry-run', description: 'only list the events and whether they were processed' })
  parseDryRun(): boolean {
    return true;
  }
}

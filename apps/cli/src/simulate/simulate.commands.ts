import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliUsageError } from '../cli.errors.js';
import { CliRuntime } from '../cli-runtime.js';
import { runSimulateSms, runSimulateStripe } from '../cli.runners.js';
import { SIMULATED_STRIPE_EVENTS } from './simulated-stripe-events.js';
import type { SmsSimulationOptions, StripeSimulationOptions } from './webhook-simulator.js';

@SubCommand({
  name: 'stripe',
  arguments: '<event>',
  argsDescription: { event: SIMULATED_STRIPE_EVENTS.join(' | ') },
  description: 'send a signed Stripe event to the running webhooks service (WEBHOOKS_URL) and print the answer',
})
export class SimulateStripeCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run([event]: string[], options: StripeSimulationOptions): Promise<void> {
    this.cli.exit(await runSimulateStripe(this.cli.env, event!, options, this.cli.out));
  }

  @Option({ flags: '--customer <cus_id>', description: 'checkout: the Stripe customer (a Nudges client has it)' })
  parseCustomer(value: string): string {
    return value;
  }

  @Option({ flags: '--product <prod_id>', description: "product.*: the product id; price.*: the price's product" })
  parseProduct(value: string): string {
    return value;
  }

  @Option({ flags: '--price <price_id>', description: 'price.*: the price id' })
  parsePrice(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: 'product.*: the product name; checkout: the customer name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--description <text>', description: 'product.*: the product description' })
  parseDescription(value: string): string {
    return value;
  }

  @Option({ flags: '--amount <cents>', description: 'price.*: unit amount; checkout: total (smallest currency unit)' })
  parseAmount(value: string): number {
    if (!/^\d+$/.test(value)) throw new CliUsageError(`--amount "${value}" must be a whole number of cents`);
    return Number(value);
  }

  @Option({ flags: '--currency <code>', description: 'three-letter currency, e.g. usd' })
  parseCurrency(value: string): string {
    return value.toLowerCase();
  }

  @Option({ flags: '--nickname <text>', description: 'price.*: the price nickname' })
  parseNickname(value: string): string {
    return value;
  }

  @Option({ flags: '--metadata <key=value>', description: 'metadata entry of the object (repeatable), e.g. planId=2' })
  parseMetadata(value: string, previous: Record<string, string> | undefined): Record<string, string> {
    const at = value.indexOf('=');
    if (at <= 0) throw new CliUsageError(`--metadata "${value}" must be key=value`);
    return { ...(previous ?? {}), [value.slice(0, at)]: value.slice(at + 1) };
  }

  @Option({ flags: '--event-id <evt_id>', description: 'the event id (default: a new one; reuse one to see the dedupe)' })
  parseEventId(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'sms',
  arguments: '<body...>',
  description: 'send a signed inbound SMS (Twilio webhook) to the running webhooks service and print the TwiML reply',
})
export class SimulateSmsCommand extends CommandRunner {
  constructor(private readonly cli: CliRuntime) {
    super();
  }

  async run(words: string[], options: SmsSimulationOptions): Promise<void> {
    this.cli.exit(await runSimulateSms(this.cli.env, words.join(' '), options, this.cli.out));
  }

  @Option({ flags: '--from <phone>', description: 'the sender, E.164 (+1555...)', required: true })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <phone>', description: 'the Nudges number texted (default +15555559999)' })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--message-sid <sid>', description: 'MessageSid (default: a new one; reuse one to see Twilio-retry handling)' })
  parseMessageSid(value: string): string {
    return value;
  }
}

@Command({
  name: 'simulate',
  description: 'send Stripe or Twilio webhooks, signed like the real thing, to a running webhooks service',
  subCommands: [SimulateStripeCommand, SimulateSmsCommand],
})
export class SimulateCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = 1;
  }
}

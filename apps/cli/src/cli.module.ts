import { Module } from '@nestjs/common';
import { BroadcastCommand, BroadcastListCommand, BroadcastShowCommand } from './broadcast/broadcast.commands.js';
import { CliRuntime } from './cli-runtime.js';
import { DlqCommand, DlqListCommand, DlqReplayCommand, DlqShowCommand } from './dlq/dlq.commands.js';
import { SimulateCommand, SimulateSmsCommand, SimulateStripeCommand } from './simulate/simulate.commands.js';
import { StripeReconcileCommand } from './stripe/stripe-reconcile.command.js';

/**
 * The operator CLI (nest-commander). Commands only parse arguments; each opens the application
 * context it needs (Kafka and Redis for `dlq`, Redis for `broadcast`, the Stripe flow for `stripe-reconcile`) when it runs.
 */
@Module({
  providers: [
    CliRuntime,
    BroadcastCommand,
    BroadcastListCommand,
    BroadcastShowCommand,
    DlqCommand,
    DlqListCommand,
    DlqShowCommand,
    DlqReplayCommand,
    SimulateCommand,
    SimulateStripeCommand,
    SimulateSmsCommand,
    StripeReconcileCommand,
  ],
})
export class CliModule {}

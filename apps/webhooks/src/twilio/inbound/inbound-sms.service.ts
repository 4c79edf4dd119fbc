import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { GatewayBusinessError, GatewayUnavailableError } from '@app/shared/graphql/gateway.errors.js';
import { errorSummary, maskPhoneNumber } from '@app/shared/logging/redact.js';
import { ATTR_TWILIO_COMMAND } from '@app/shared/tracing/attributes.js';
import { annotateActiveSpan } from '@app/shared/tracing/spans.js';
import { labelWebhookRequest } from '../../metrics/webhook-observation.js';
import { DEFAULT_LOCALE, localeOf } from '../commands/sender.js';
import { SenderLookup } from '../commands/sender-lookup.js';
import { SMS_COMMAND_HANDLERS, textReply, type SmsCommandHandler, type SmsCommandInput, type SmsReply } from '../commands/sms-command.js';
import { TWILIO_MAX_BODY_CHARS } from '../twilio.env.js';
import type { InboundSms } from './inbound-sms.js';
import { MessageReplayStore } from './message-replay.store.js';
import { ReplyRenderer } from './reply-renderer.js';
import { twimlReply } from './twiml.js';

/** A Twilio retry arrived while the first request for its MessageSid was still being processed. */
export class MessageInProgressError extends Error {
  constructor() {
    super('the same MessageSid is still being processed');
    this.name = 'MessageInProgressError';
  }
}

/**
 * The gateway answered the command's request with GraphQL errors: an execution error (transient,
 * e.g. "Unexpected Execution Error") or a refusal (permanent, e.g. HC0051, AUTH_NOT_AUTHORIZED).
 * A Twilio fallback would meet the same gateway, so the sender is told instead. A gateway that
 * could not be reached at all is left to the 500 (and Twilio's fallback URL).
 */
function gatewayAnsweredWithErrors(err: unknown): err is GatewayBusinessError | GatewayUnavailableError {
  return err instanceof GatewayBusinessError || (err instanceof GatewayUnavailableError && err.reason === 'execution-error');
}

/**
 * Turns an inbound SMS into its TwiML reply: replays the stored reply of a MessageSid already
 * answered, refuses bodies over Twilio's 1600 characters, then tries the command handlers in order.
 * When the gateway answers a command with GraphQL errors, the reply is MessageException with a
 * reference that is also logged; nothing the command would have changed is changed (a stored
 * announcement draft stays as it was).
 */
@Injectable()
export class InboundSmsService {
  private readonly logger = new Logger(InboundSmsService.name);

  constructor(
    @Inject(SMS_COMMAND_HANDLERS) private readonly handlers: readonly SmsCommandHandler[],
    private readonly senders: SenderLookup,
    private readonly replies: ReplyRenderer,
    private readonly replay: MessageReplayStore,
  ) {}

  async reply(sms: InboundSms): Promise<string> {
    if (!sms.messageSid) return this.process(sms);
    const claim = await this.replay.claim(sms.messageSid);
    if (claim.kind === 'replay') {
      labelWebhookRequest({ outcome: 'duplicate' });
      this.logger.log({ msg: 'repeated MessageSid answered with the first reply', messageSid: sms.messageSid });
      return claim.twiml;
    }
    if (claim.kind === 'busy') throw new MessageInProgressError();
    let twiml: string;
    try {
      twiml = await this.process(sms);
    } catch (err) {
      await this.replay.release(claim.lease).catch(() => undefined);
      throw err;
    }
    await this.replay.complete(claim.lease, twiml).catch((err: unknown) => {
      this.logger.warn({ msg: 'reply not remembered for replay', messageSid: sms.messageSid, err });
    });
    return twiml;
  }

  /** Answers `sms`, labelling the request with the command that answered it and whether with a text. */
  private async process(sms: InboundSms): Promise<string> {
    const text = sms.body.trim();
    if (text === '') {
      labelWebhookRequest({ type: 'empty', outcome: 'silent' }); // e.g. a picture without text: nothing to act on
      return twimlReply();
    }
    const input: SmsCommandInput = { sms, text, keyword: text.toUpperCase(), sender: this.senders.lazy(sms.from) };
    if ([...sms.body].length > TWILIO_MAX_BODY_CHARS) {
      labelWebhookRequest({ type: 'too_long', outcome: 'replied' });
      return this.replies.toTwiml(textReply('MessageTooLong', localeOf(await input.sender())));
    }
    for (const handler of this.handlers) {
      let reply;
      try {
        reply = await handler.handle(input);
      } catch (err) {
        if (!gatewayAnsweredWithErrors(err)) throw err;
        labelWebhookRequest({ type: handler.command, outcome: 'replied' });
        return this.replies.toTwiml(await this.gatewayErrorReply(handler, sms, err, input));
      }
      if (reply) {
        labelWebhookRequest({ type: handler.command, outcome: reply.kind === 'text' ? 'replied' : 'silent' });
        annotateActiveSpan({ [ATTR_TWILIO_COMMAND]: handler.constructor.name.replace(/Handler$/, '') });
        this.logger.log({ msg: 'SMS command answered', handler: handler.constructor.name, from: maskPhoneNumber(sms.from) });
        return this.replies.toTwiml(reply);
      }
    }
    labelWebhookRequest({ type: 'unrecognized', outcome: 'silent' });
    return twimlReply();
  }

  /** MessageException ("something went wrong: ref …") in the sender's locale when it is known. */
  private async gatewayErrorReply(
    handler: SmsCommandHandler,
    sms: InboundSms,
    err: GatewayBusinessError | GatewayUnavailableError,
    input: SmsCommandInput,
  ): Promise<SmsReply> {
    const reference = randomBytes(4).toString('hex');
    this.logger.error({
      msg: 'SMS command failed: the gateway answered with errors',
      reference,
      handler: handler.constructor.name,
      from: maskPhoneNumber(sms.from),
      transient: err.transient,
      err: errorSummary(err),
    });
    const locale = await input.sender().then(
      (who) => localeOf(who),
      () => DEFAULT_LOCALE,
    );
    return textReply('MessageException', locale, { error: `ref ${reference}` });
  }
}

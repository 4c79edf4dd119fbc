import { Injectable } from '@nestjs/common';
import { ConsentKeywordHandler } from './consent-keyword.handler.js';

/** STOP and Twilio's other opt-out words: we remember the opt-out, so later broadcasts skip the number. No gateway lookup. */
@Injectable()
export class OptOutHandler extends ConsentKeywordHandler {
  readonly command = 'opt_out';
  protected readonly kind = 'optOut';
}

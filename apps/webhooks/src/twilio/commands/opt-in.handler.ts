import { Injectable } from '@nestjs/common';
import { ConsentKeywordHandler } from './consent-keyword.handler.js';

/** START, UNSTOP, YES: we clear our opt-out record so broadcasts reach the number again. */
@Injectable()
export class OptInHandler extends ConsentKeywordHandler {
  readonly command = 'opt_in';
  protected readonly kind = 'optIn';
}

import type { NextFunction, Request, Response } from 'express';
import { sendStatusAnswer } from './safe-exception.filter.js';

/**
 * On a webhook path, any method but POST is answered 405 with `Allow: POST` (the router alone
 * would answer 404, as if the endpoint did not exist). Runs before the API-key guard: the method
 * is wrong whoever asks.
 */
export function postOnly(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'POST') return next();
  res.set('Allow', 'POST');
  sendStatusAnswer(res, 405);
}

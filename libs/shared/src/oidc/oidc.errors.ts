/** Why a token could not be obtained. */
export type OidcFailureReason =
  /** The issuer did not answer (network error, timeout, 5xx, discovery failed). */
  | 'unreachable'
  /** The issuer answered with an OAuth error (e.g. `invalid_client`: wrong client id or secret). */
  | 'rejected'
  /** The issuer answered something that is not a usable token response. */
  | 'invalid-response';

/**
 * No access token could be obtained from the OIDC server. Transient by contract: the caller
 * should fail the current unit of work so that it is retried later (a webhook answers 500).
 * The message never contains the client secret or any token.
 */
export class OidcUnavailableError extends Error {
  readonly transient = true as const;

  constructor(
    readonly reason: OidcFailureReason,
    readonly issuer: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`OIDC token request to ${issuer} failed (${reason}): ${detail}`, options);
    this.name = 'OidcUnavailableError';
  }
}

// Owns how broker failures are classified so callers know whether an order may exist and whether to retry. Pure.

/**
 * - `rejected`: definitive, the broker refused (4xx / preflight); nothing was created.
 * - `unknown`: the request may have reached the broker (timeout, network, 5xx or 429 after a submit). Never re-sent:
 *   reconciliation settles it by external identifier.
 * - `retryable`: nothing was created (a read, or the request never left); safe to try again.
 * - `fatal`: authentication or configuration; stop and alert.
 */
export type BrokerErrorKind = 'rejected' | 'unknown' | 'retryable' | 'fatal';

export interface BrokerErrorDetail {
  code?: string;
  message: string;
  domain?: string;
}

export class BrokerError extends Error {
  constructor(
    readonly kind: BrokerErrorKind,
    message: string,
    readonly info: { code?: string; httpStatus?: number; details?: BrokerErrorDetail[]; operation?: string } = {},
  ) {
    super(message);
    this.name = 'BrokerError';
  }

  get code(): string | undefined {
    return this.info.code;
  }

  get httpStatus(): number | undefined {
    return this.info.httpStatus;
  }
}

export const isBrokerError = (e: unknown): e is BrokerError => e instanceof BrokerError;

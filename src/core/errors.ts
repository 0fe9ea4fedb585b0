/** Errors whose type decides what happens next. */

/** A bad setting, file or argument an operator can fix. The message is shown as is, on one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A send that must not be retried (unknown target, content the platform refuses). */
export class PermanentSendError extends Error {
  override name = 'PermanentSendError';
}

/** A send that may work later (not logged in, timeout, rate limited by the platform). */
export class TransientSendError extends Error {
  override name = 'TransientSendError';
}

/**
 * A send that may or may not have gone out and must not be tried again (a gateway took it and stopped
 * answering before it could tell). The outbox records the row `unknown`, as after a crash mid-send.
 */
export class SendOutcomeUnknownError extends PermanentSendError {
  override name = 'SendOutcomeUnknownError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

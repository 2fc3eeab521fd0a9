// Errors thrown by commands: an AppError ({ kind, message }) from the Rust side, or (for
// failures of the IPC itself) a string or an Error.
import type { AppError, ErrorKind } from './bindings';

function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && 'kind' in e && 'message' in e
    && typeof (e as AppError).message === 'string';
}

/** The sentence to show a person. */
export function errorText(e: unknown): string {
  if (isAppError(e)) return e.message;
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** What kind of failure it was, to act on: 'other' when the error does not say. */
export function errorKind(e: unknown): ErrorKind {
  return isAppError(e) ? e.kind : 'other';
}

/** A hint that goes with a kind, or '' when the message says enough. */
export function errorHint(kind: ErrorKind): string {
  switch (kind) {
    case 'store_unreachable': return 'Check the network and that the store is running; try again.';
    case 'credentials': return 'Check the target’s access key and secret in Settings.';
    case 'disk_full': return 'Free some space on the library’s disk, then try again.';
    case 'busy': return 'Try again when the running import or backup has finished.';
    default: return '';
  }
}

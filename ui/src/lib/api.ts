// The commands' typed wrappers (`api`) and the IPC types are generated from the Rust side into
// bindings.ts (see src-tauri/src/commands/mod.rs); this file adds what is not a command.
export type * from './bindings';
export { api } from './bindings';

/** URL of a thumbnail through the `thumb:` scheme (Windows spells custom schemes as http). */
export function thumbUrl(hash: string, size: number): string {
  return isWindows() ? `http://thumb.localhost/${size}/${hash}` : `thumb://localhost/${size}/${hash}`;
}

export function originalUrl(hash: string): string {
  return isWindows() ? `http://original.localhost/${hash}` : `original://localhost/${hash}`;
}

function isWindows(): boolean {
  return typeof navigator !== 'undefined' && /Windows/.test(navigator.userAgent);
}

export { errorHint, errorKind, errorText } from './errors';

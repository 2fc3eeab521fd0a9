import { describe, expect, it } from 'vitest';
import { errorHint, errorKind, errorText } from './errors';

describe('errors', () => {
  it('reads typed command errors', () => {
    const e = { kind: 'store_unreachable', message: 'cannot reach s3://photos' };
    expect(errorText(e)).toBe('cannot reach s3://photos');
    expect(errorKind(e)).toBe('store_unreachable');
    expect(errorHint(errorKind(e))).toMatch(/network/);
  });
  it('falls back for strings and Errors', () => {
    expect(errorText('plain')).toBe('plain');
    expect(errorKind('plain')).toBe('other');
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText({ nope: 1 })).toBe('[object Object]');
    expect(errorHint('other')).toBe('');
  });
});

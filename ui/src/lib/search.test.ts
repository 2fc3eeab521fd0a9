import { describe, expect, it } from 'vitest';
import { NO_SEARCH, searching } from './search';

describe('searching', () => {
  it('is off for an empty box and no filter', () => {
    expect(searching(NO_SEARCH)).toBe(false);
    expect(searching({ ...NO_SEARCH, query: '   ' })).toBe(false);
    expect(searching({ ...NO_SEARCH, camera: ' ' })).toBe(false);
  });
  it('is on for words or any filter', () => {
    expect(searching({ ...NO_SEARCH, query: 'rome' })).toBe(true);
    expect(searching({ ...NO_SEARCH, media: 'video' })).toBe(true);
    expect(searching({ ...NO_SEARCH, favourites: true })).toBe(true);
    expect(searching({ ...NO_SEARCH, min_rating: 3 })).toBe(true);
    expect(searching({ ...NO_SEARCH, has_place: true })).toBe(true);
    expect(searching({ ...NO_SEARCH, camera: 'canon' })).toBe(true);
  });
});

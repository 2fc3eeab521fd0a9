import { describe, expect, it } from 'vitest';
import { ago, bytes, coords, dayLabel, duration, eta, exposure, monthLabel } from './format';

describe('format', () => {
  it('sizes', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(999)).toBe('999 B');
    expect(bytes(3_400_000)).toBe('3.4 MB');
    expect(bytes(211_000_000)).toBe('211 MB');
    expect(bytes(-1)).toBe('—');
  });
  it('durations and ETA', () => {
    expect(duration(65_000)).toBe('1:05');
    expect(duration(3_725_000)).toBe('1:02:05');
    expect(eta(50, 100, 10_000)).toBe('about 0:10 left');
    expect(eta(0, 100, 10_000)).toBe('');
    expect(eta(100, 100, 10_000)).toBe('');
  });
  it('dates', () => {
    expect(monthLabel('2023-07')).toBe('July 2023');
    expect(dayLabel('2023-07-14')).toBe('Fri 14 July');
    expect(ago(null)).toBe('never');
    expect(ago('2026-11-22T10:00:00Z', Date.parse('2026-11-22T10:00:20Z'))).toBe('just now');
    expect(ago('2026-11-22T10:00:00Z', Date.parse('2026-11-22T10:05:00Z'))).toBe('5 min ago');
  });
  it('exposure and place', () => {
    expect(exposure(0.004)).toBe('1/250 s');
    expect(exposure(2)).toBe('2 s');
    expect(exposure(null)).toBe(null);
    expect(coords(48.8584, -2.2945)).toBe('48.85840° N, 2.29450° W');
  });
});

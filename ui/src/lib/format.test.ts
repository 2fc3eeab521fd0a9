import { describe, expect, it } from 'vitest';
import { ago, bytes, coords, dayLabel, duration, eta, exposure, monthLabel, takenWords } from './format';

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
  it('says capture times in words, in the camera\'s own time', () => {
    expect(takenWords('2022-01-01T10:20:00+01:00')).toBe('Sat 1 Jan 2022, 10:20 · UTC+1');
    expect(takenWords('2019-07-14T10:26:40+00:00')).toBe('Sun 14 Jul 2019, 10:26 · UTC');
    expect(takenWords('2021-03-04T14:06:07.250-05:30')).toBe('Thu 4 Mar 2021, 14:06 · UTC-5:30');
    expect(takenWords('2023-12-31T23:59:59')).toBe('Sun 31 Dec 2023, 23:59');
    expect(takenWords('not a date')).toBe('not a date');
  });
});

// Human-readable figures: sizes, durations, dates, exposure. Pure, tested with Vitest.

export function bytes(n: number): string {
  if (!isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Seconds left, from what was done in how long. */
export function eta(done: number, total: number, elapsedMs: number): string {
  if (done <= 0 || total <= done || elapsedMs < 500) return '';
  const left = (elapsedMs * (total - done)) / done;
  return `about ${duration(Math.max(1000, left))} left`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2023-07` → `July 2023`. */
export function monthLabel(m: string): string {
  const [y, mo] = m.split('-').map(Number);
  return MONTHS[mo - 1] ? `${MONTHS[mo - 1]} ${y}` : m;
}

/** `2023-07-14` → `Fri 14 July`. */
export function dayLabel(d: string): string {
  const [y, mo, day] = d.split('-').map(Number);
  const dt = new Date(Date.UTC(y, mo - 1, day));
  if (isNaN(dt.getTime())) return d;
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][dt.getUTCDay()];
  return `${wd} ${day} ${MONTHS[mo - 1]}`;
}

export function exposure(t: number | null): string | null {
  if (t == null || !(t > 0)) return null;
  return t >= 1 ? `${t} s` : `1/${Math.round(1 / t)} s`;
}

export function coords(lat: number | null, lon: number | null): string | null {
  if (lat == null || lon == null) return null;
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

export const SOURCE_LABEL: Record<string, string> = {
  exif: 'camera (EXIF)',
  exif_digitized: 'camera (EXIF, digitized)',
  exif_other: 'camera (EXIF, another date)',
  container: 'video container',
  filename: 'file name',
  mtime: 'file modification time',
  takeout: 'Google Photos (Takeout)',
};

/** `2026-11-22T10:00:00Z` → a relative phrase for "last backup". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A capture time the way people read it, in the camera's own time:
 * `2022-01-01T10:20:00+01:00` → `Sat 1 Jan 2022, 10:20 · UTC+1`; without an offset, no zone.
 */
export function takenWords(taken: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(taken);
  if (!m) return taken;
  const [, y, mo, d, h, mi, off] = m;
  const day = DAYS[new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDay()];
  const when = `${day} ${+d} ${MONTHS[+mo - 1].slice(0, 3)} ${y}, ${h}:${mi}`;
  if (!off) return when;
  if (off === 'Z' || off === '+00:00' || off === '-00:00') return `${when} · UTC`;
  const [oh, om] = off.slice(1).split(':');
  return `${when} · UTC${off[0]}${+oh}${om === '00' ? '' : `:${om}`}`;
}

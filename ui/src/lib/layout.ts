// Timeline geometry: justified rows, month sections with day headers, and which part of a
// 100k-photo timeline is on screen. Pure functions, tested with Vitest.

export interface Sized {
  w: number;
  h: number;
  taken: string;
}

export interface Tile {
  /** Index of the item in its month. */
  index: number;
  x: number;
  /** Relative to the section's top. */
  y: number;
  w: number;
  h: number;
}

export interface DayHeader {
  day: string;
  y: number;
}

export interface Section {
  month: string;
  count: number;
  /** Offset of the section in the whole timeline. */
  top: number;
  height: number;
  /** False until all of the month's photos are loaded; the height is then partly estimated. */
  exact: boolean;
  /** Height of the part laid out from loaded photos (the month header alone when none are). */
  loadedHeight: number;
  tiles: Tile[];
  days: DayHeader[];
}

export interface Geometry {
  width: number;
  rowHeight: number;
  gap: number;
  monthHeader: number;
  dayHeader: number;
}

export const defaultGeometry = (width: number): Geometry => ({
  width,
  rowHeight: width < 700 ? 140 : 200,
  gap: 4,
  monthHeader: 56,
  dayHeader: 36,
});

/** Width over height, bounded so a panorama or a sliver does not take a whole row. */
export function aspect(it: { w: number; h: number }): number {
  if (!(it.w > 0 && it.h > 0)) return 1;
  return Math.min(3, Math.max(0.4, it.w / it.h));
}

export interface JustifiedRow {
  start: number;
  end: number; // exclusive
  height: number;
}

/**
 * Breaks a run of aspect ratios into rows that fill `width` exactly, each about `target` high.
 * The last row keeps the target height instead of being stretched.
 */
export function justify(aspects: number[], width: number, target: number, gap: number): JustifiedRow[] {
  const rows: JustifiedRow[] = [];
  let start = 0;
  let sum = 0;
  for (let i = 0; i < aspects.length; i++) {
    sum += aspects[i];
    const n = i - start + 1;
    const natural = sum * target + gap * (n - 1);
    if (natural >= width) {
      const height = (width - gap * (n - 1)) / sum;
      rows.push({ start, end: i + 1, height });
      start = i + 1;
      sum = 0;
    }
  }
  if (start < aspects.length) {
    const n = aspects.length - start;
    const natural = sum * target + gap * (n - 1);
    // A short last row stays at the target height; never wider than the container.
    const height = natural > width ? (width - gap * (n - 1)) / sum : target;
    rows.push({ start, end: aspects.length, height });
  }
  return rows;
}

/** Height of `count` photos not loaded yet: rows of 3:2 tiles. */
export function estimateRows(count: number, g: Geometry): number {
  const perRow = Math.max(1, Math.floor((g.width + g.gap) / (g.rowHeight * 1.5 + g.gap)));
  return Math.ceil(count / perRow) * (g.rowHeight + g.gap);
}

/** A month's height before its photos are known: rows of 3:2 tiles and one day header. */
export function estimateHeight(count: number, g: Geometry): number {
  return g.monthHeader + g.dayHeader + estimateRows(count, g);
}

/** Exact layout of a loaded month: a header per day, then that day's justified rows. */
export function layoutMonth(items: Sized[], g: Geometry): { height: number; tiles: Tile[]; days: DayHeader[] } {
  const tiles: Tile[] = [];
  const days: DayHeader[] = [];
  let y = g.monthHeader;
  let i = 0;
  while (i < items.length) {
    const day = items[i].taken.slice(0, 10);
    let j = i;
    while (j < items.length && items[j].taken.slice(0, 10) === day) j++;
    days.push({ day, y });
    y += g.dayHeader;
    const rows = justify(items.slice(i, j).map(aspect), g.width, g.rowHeight, g.gap);
    for (const r of rows) {
      let x = 0;
      for (let k = r.start; k < r.end; k++) {
        const w = aspect(items[i + k]) * r.height;
        tiles.push({ index: i + k, x, y, w, h: r.height });
        x += w + g.gap;
      }
      y += r.height + g.gap;
    }
    i = j;
  }
  return { height: y, tiles, days };
}

/**
 * Sections for month buckets, in order, estimated unless a loaded layout is given. A month
 * may be loaded in part (its first pages, newest first): the rest is estimated below it.
 */
export function buildSections(
  buckets: { month: string; count: number }[],
  loaded: Map<string, Sized[]>,
  g: Geometry,
): Section[] {
  let top = 0;
  return buckets.map((b) => {
    const items = loaded.get(b.month);
    let s: Section;
    if (items) {
      const l = layoutMonth(items, g);
      const rest = Math.max(0, b.count - items.length);
      s = {
        month: b.month, count: b.count, top, height: l.height + (rest ? estimateRows(rest, g) : 0),
        exact: rest === 0, loadedHeight: l.height, tiles: l.tiles, days: l.days,
      };
    } else {
      s = {
        month: b.month, count: b.count, top, height: estimateHeight(b.count, g), exact: false,
        loadedHeight: g.monthHeader, tiles: [], days: [],
      };
    }
    top += s.height;
    return s;
  });
}

export function totalHeight(sections: Section[]): number {
  const last = sections[sections.length - 1];
  return last ? last.top + last.height : 0;
}

/** Index of the section containing offset `y` (binary search; clamps to the ends). */
export function sectionAt(sections: Section[], y: number): number {
  let lo = 0;
  let hi = sections.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sections[mid].top <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sections overlapping [top - overscan, top + height + overscan]. */
export function visibleSections(sections: Section[], top: number, height: number, overscan: number): number[] {
  if (sections.length === 0) return [];
  const a = sectionAt(sections, Math.max(0, top - overscan));
  const out: number[] = [];
  for (let i = a; i < sections.length && sections[i].top < top + height + overscan; i++) out.push(i);
  return out;
}

/** Tiles of a section that overlap the window (in timeline coordinates). */
export function visibleTiles(s: Section, top: number, height: number, overscan: number): Tile[] {
  const lo = top - overscan - s.top;
  const hi = top + height + overscan - s.top;
  return s.tiles.filter((t) => t.y + t.h >= lo && t.y <= hi);
}

/**
 * Where the scroll position must move so that what the user looks at stays put after the
 * sections above it changed height: the same offset within the same section.
 */
export function anchoredScroll(before: Section[], after: Section[], scrollTop: number): number {
  const i = sectionAt(before, scrollTop);
  if (i < 0 || !after[i] || after[i].month !== before[i].month) return scrollTop;
  const within = scrollTop - before[i].top;
  return after[i].top + Math.min(within, after[i].height);
}

/** Marks for the date scrubber: the first month of each year, as a fraction of the height. */
export function scrubberMarks(sections: Section[]): { label: string; month: string; at: number }[] {
  const total = totalHeight(sections) || 1;
  const marks: { label: string; month: string; at: number }[] = [];
  let year = '';
  for (const s of sections) {
    const y = s.month.slice(0, 4);
    if (y !== year) {
      year = y;
      marks.push({ label: y, month: s.month, at: s.top / total });
    }
  }
  return marks;
}

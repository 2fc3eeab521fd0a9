import { describe, expect, it } from 'vitest';
import {
  anchoredScroll, aspect, buildSections, defaultGeometry, estimateHeight, justify, layoutMonth,
  scrubberMarks, sectionAt, totalHeight, visibleSections, visibleTiles, type Sized,
} from './layout';

const g = { width: 1000, rowHeight: 200, gap: 4, monthHeader: 56, dayHeader: 36 };

function items(n: number, day = '2023-07-14', w = 3000, h = 2000): Sized[] {
  return Array.from({ length: n }, () => ({ w, h, taken: `${day}T10:00:00.000` }));
}

describe('justify', () => {
  it('fills every full row to the exact width', () => {
    const aspects = [1.5, 0.75, 1.33, 1, 2, 1.5, 0.66, 1.5, 1.5, 1];
    const rows = justify(aspects, 1000, 200, 4);
    for (const r of rows.slice(0, -1)) {
      const n = r.end - r.start;
      const w = aspects.slice(r.start, r.end).reduce((s, a) => s + a * r.height, 0) + 4 * (n - 1);
      expect(w).toBeCloseTo(1000, 6);
      expect(r.height).toBeLessThanOrEqual(200);
    }
    // Every item is in exactly one row, in order.
    expect(rows[0].start).toBe(0);
    expect(rows[rows.length - 1].end).toBe(aspects.length);
    rows.slice(1).forEach((r, i) => expect(r.start).toBe(rows[i].end));
  });

  it('keeps a short last row at the target height', () => {
    const rows = justify([1, 1], 1000, 200, 4);
    expect(rows).toEqual([{ start: 0, end: 2, height: 200 }]);
  });

  it('handles one very wide item and no items', () => {
    expect(justify([3], 300, 200, 4)[0].height).toBeCloseTo(100);
    expect(justify([], 1000, 200, 4)).toEqual([]);
  });
});

describe('aspect', () => {
  it('bounds panoramas and slivers and defaults unknown sizes to square', () => {
    expect(aspect({ w: 10000, h: 1000 })).toBe(3);
    expect(aspect({ w: 100, h: 1000 })).toBe(0.4);
    expect(aspect({ w: 0, h: 0 })).toBe(1);
    expect(aspect({ w: 4000, h: 3000 })).toBeCloseTo(4 / 3);
  });
});

describe('layoutMonth', () => {
  it('puts a header before each day and never overlaps tiles', () => {
    const its = [...items(7, '2023-07-20'), ...items(3, '2023-07-02', 2000, 3000)];
    const l = layoutMonth(its, g);
    expect(l.days.map((d) => d.day)).toEqual(['2023-07-20', '2023-07-02']);
    expect(l.tiles.length).toBe(10);
    expect(l.days[0].y).toBe(g.monthHeader);
    const firstOfSecondDay = l.tiles.find((t) => t.index === 7)!;
    expect(firstOfSecondDay.y).toBeGreaterThanOrEqual(l.days[1].y + g.dayHeader);
    for (const a of l.tiles)
      for (const b of l.tiles)
        if (a !== b) {
          const overlap = a.x < b.x + b.w - 0.01 && b.x < a.x + a.w - 0.01 && a.y < b.y + b.h - 0.01 && b.y < a.y + a.h - 0.01;
          expect(overlap).toBe(false);
        }
    for (const t of l.tiles) expect(t.x + t.w).toBeLessThanOrEqual(g.width + 0.01);
    expect(l.height).toBeGreaterThan(Math.max(...l.tiles.map((t) => t.y + t.h)));
  });
});

describe('sections at 100k', () => {
  const buckets = Array.from({ length: 240 }, (_, i) => {
    const y = 2026 - Math.floor(i / 12);
    const m = 12 - (i % 12);
    return { month: `${y}-${String(m).padStart(2, '0')}`, count: 400 + (i % 50) };
  });
  const sections = buildSections(buckets, new Map(), g);

  it('stacks estimated months without gaps', () => {
    sections.slice(1).forEach((s, i) => expect(s.top).toBe(sections[i].top + sections[i].height));
    expect(sections[0].height).toBe(estimateHeight(400, g));
    expect(totalHeight(sections)).toBe(sections.reduce((s, x) => s + x.height, 0));
  });

  it('finds what is on screen by binary search', () => {
    const mid = sections[120];
    expect(sectionAt(sections, mid.top)).toBe(120);
    expect(sectionAt(sections, mid.top + mid.height - 1)).toBe(120);
    expect(sectionAt(sections, -5)).toBe(0);
    expect(sectionAt(sections, 1e12)).toBe(239);
    const vis = visibleSections(sections, mid.top + 10, 800, 0);
    expect(vis[0]).toBe(120);
    expect(vis.every((i) => sections[i].top < mid.top + 810)).toBe(true);
  });

  it('renders only the tiles near the viewport of a loaded month', () => {
    const loaded = new Map([[buckets[0].month, items(400, `${buckets[0].month}-03`)]]);
    const s = buildSections(buckets, loaded, g)[0];
    expect(s.exact).toBe(true);
    const tiles = visibleTiles(s, 0, 800, 200);
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles.length).toBeLessThan(60);
  });

  it('lays out the loaded first page of a month of thousands and estimates the rest', () => {
    const big = [{ month: '2024-05', count: 50_000 }, { month: '2024-04', count: 10 }];
    const page = items(1000, '2024-05-01');
    const [s, next] = buildSections(big, new Map([['2024-05', page]]), g);
    expect(s.exact).toBe(false);
    expect(s.tiles.length).toBe(1000);
    expect(s.loadedHeight).toBe(layoutMonth(page, g).height);
    expect(s.height).toBeGreaterThan(s.loadedHeight);
    expect(next.top).toBe(s.height);
    // Every page in: exact, and the estimate is gone.
    const all = buildSections(big, new Map([['2024-05', items(50_000, '2024-05-01')]]), g)[0];
    expect(all.exact).toBe(true);
    expect(all.loadedHeight).toBe(all.height);
  });

  it('keeps the viewed month in place when a month above gets its exact height', () => {
    const scroll = sections[10].top + 123;
    const loaded = new Map([[buckets[2].month, items(10, `${buckets[2].month}-01`)]]);
    const after = buildSections(buckets, loaded, g);
    expect(after[2].height).not.toBe(sections[2].height);
    const s = anchoredScroll(sections, after, scroll);
    expect(s).toBe(after[10].top + 123);
  });

  it('marks each year once on the scrubber, newest first', () => {
    const marks = scrubberMarks(sections);
    expect(marks.map((m) => m.label)).toEqual(Array.from({ length: 20 }, (_, i) => String(2026 - i)));
    expect(marks[0].at).toBe(0);
    marks.slice(1).forEach((m, i) => expect(m.at).toBeGreaterThan(marks[i].at));
  });
});

describe('geometry', () => {
  it('uses smaller rows on narrow windows', () => {
    expect(defaultGeometry(600).rowHeight).toBeLessThan(defaultGeometry(1200).rowHeight);
  });
});

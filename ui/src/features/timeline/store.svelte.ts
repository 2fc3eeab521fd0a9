// The timeline: the view (all, favourites, an album, the trash, a search, a map area), its months loaded as they come into view, the selection, the photo open in the viewer.
import { api, type Bucket, type Item, type Search, type View } from '../../lib/api';
import { NO_SEARCH, searching } from '../../lib/search';
import { shell } from '../../shell/store.svelte';

/** Months with more photos than this load a page at a time. */
const MONTH_PAGE = 1000;

class TimelineStore {
  view = $state<View>({ kind: 'all' });

  buckets = $state<Bucket[]>([]);

  /** Loaded months of the current view. */
  months = $state(new Map<string, Item[]>());

  selection = $state(new Set<string>());

  /** Hash shown in the viewer. */
  open = $state<string | null>(null);

  /** Bumped whenever the timeline must reload. */
  generation = $state(0);

  private loading = new Set<string>();

  /** Reloads the current view: buckets first, months again as they come into view. */
  async reload() {
    try {
      const view = this.view;
      const b = await api.buckets(view);
      if (this.view !== view) return;
      this.buckets = b;
      this.months = new Map();
      this.loading.clear();
      this.generation++;
      // The newest months are what the grid shows first: fetch them in the same breath.
      await this.ensureMonths(b.slice(0, 3).map((x) => x.month));
    } catch (e) {
      shell.fail(e);
    }
  }

  async setView(v: View) {
    shell.page = 'timeline';
    if (v.kind !== 'search') {
      this.search = { ...NO_SEARCH };
      this.beforeSearch = null;
    }
    this.view = v;
    this.selection = new Set();
    this.buckets = [];
    this.months = new Map();
    await this.reload();
  }

  /** The search box and its filters. */
  search = $state<Search>({ ...NO_SEARCH });

  /** The view the search box replaced, to go back to when it is cleared. */
  private beforeSearch: View | null = null;

  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  /** Changes what is searched; the results follow as one types (a pause of 120 ms). */
  searchFor(patch: Partial<Search>) {
    this.search = { ...this.search, ...patch };
    if (this.searchTimer) clearTimeout(this.searchTimer);
    if (!searching(this.search)) {
      if (this.view.kind === 'search') {
        const back = this.beforeSearch ?? { kind: 'all' };
        this.beforeSearch = null;
        this.setView(back);
      }
      return;
    }
    this.searchTimer = setTimeout(async () => {
      this.searchTimer = null;
      if (this.view.kind !== 'search') this.beforeSearch = this.view;
      shell.page = 'timeline';
      // The grid keeps what it shows until the results are in (no blank between keystrokes).
      this.view = { kind: 'search', ...this.search };
      this.selection = new Set();
      await this.reload();
    }, 120);
  }

  clearSearch() {
    this.searchFor({ ...NO_SEARCH });
  }

  /** Loads the photos of months not loaded yet: whole, or the next page of a month of
   * thousands (the first screen of a month of 50,000 photos needs only its first page). */
  async ensureMonths(months: string[]) {
    const count = (m: string) => this.buckets.find((b) => b.month === m)?.count ?? 0;
    const whole = months.filter((m) => !this.months.has(m) && !this.loading.has(m) && count(m) <= MONTH_PAGE);
    const paged = months.filter((m) => !this.loading.has(m) && !whole.includes(m) && (this.months.get(m)?.length ?? 0) < count(m));
    if (whole.length === 0 && paged.length === 0) return;
    const view = this.view;
    const gen = this.generation;
    const busy = [...whole, ...paged];
    busy.forEach((m) => this.loading.add(m));
    try {
      const got = [
        ...(whole.length ? await api.monthItems(view, whole) : []),
        ...(await Promise.all(paged.map(async (m) => {
          const have = this.months.get(m) ?? [];
          const page = await api.monthPage(view, m, have.length, MONTH_PAGE);
          return { month: m, items: [...have, ...page] };
        }))),
      ];
      if (this.view !== view || this.generation !== gen) return;
      const next = new Map(this.months);
      for (const m of got) next.set(m.month, m.items);
      this.months = next;
    } catch (e) {
      shell.fail(e);
    } finally {
      busy.forEach((m) => this.loading.delete(m));
    }
  }

  /** Every loaded item in timeline order (for the viewer's ←/→ and shift-selection). */
  get ordered(): Item[] {
    const out: Item[] = [];
    for (const b of this.buckets) {
      const items = this.months.get(b.month);
      if (items) out.push(...items);
    }
    return out;
  }

  /** Bumped while a sync brings thumbnails: tiles whose thumbnail was not there yet retry. */
  thumbEpoch = $state(0);

  /** Updates loaded items in place (favourite marks) without reloading the grid. */
  patchItems(hashes: string[], patch: Partial<Item>) {
    const set = new Set(hashes);
    const next = new Map(this.months);
    for (const [m, items] of next) {
      if (items.some((i) => set.has(i.hash))) next.set(m, items.map((i) => (set.has(i.hash) ? { ...i, ...patch } : i)));
    }
    this.months = next;
  }

  /** Whether the timeline shows `v` (the sidebar marks it). */
  shows(v: View): boolean {
    return shell.page === 'timeline' && JSON.stringify(v) === JSON.stringify(this.view);
  }

  /** The selection as a list. */
  get selected(): string[] {
    return [...this.selection];
  }

  /** How many photos the view holds (loaded or not). */
  get found(): number {
    return this.buckets.reduce((n, b) => n + b.count, 0);
  }
}

export const timeline = new TimelineStore();

// The app's state (Svelte 5 runes) and the actions that change it.
import { api, errorHint, errorKind, errorText, type Album, type Bucket, type ImportSummary, type Item, type JobEvent, type LibraryInfo, type TargetBackup, type TargetVerify, type TargetSync, type Devices, type Search, type SimilarGroup, type View, type WatchEvent, type PasswordChange } from './api';
import { bytes, eta } from './format';
import { NO_SEARCH, searching } from './search';
import type { Camera } from './map';

export interface Job {
  kind: 'import' | 'backup' | 'verify' | 'sync' | 'pin' | 'looking' | 'export' | 'scheduled' | 'rekey';
  phase: string;
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  current: string | null;
  errors: number;
  started: number;
  waiting: string | null;
}

export interface Toast {
  id: number;
  text: string;
  error: boolean;
}

/** Months with more photos than this load a page at a time. */
const MONTH_PAGE = 1000;

class AppStore {
  info = $state<LibraryInfo | null>(null);
  view = $state<View>({ kind: 'all' });
  buckets = $state<Bucket[]>([]);
  /** Loaded months of the current view. */
  months = $state(new Map<string, Item[]>());
  albums = $state<Album[]>([]);
  selection = $state(new Set<string>());
  /** Hash shown in the viewer. */
  open = $state<string | null>(null);
  job = $state<Job | null>(null);
  importResult = $state<ImportSummary | null>(null);
  backupResult = $state<TargetBackup[] | null>(null);
  verifyResult = $state<TargetVerify[] | null>(null);
  syncResult = $state<TargetSync[] | null>(null);
  devices = $state<Devices | null>(null);
  /** The settings were opened from the empty state to join a library on a store: the target
   * saved there is synced at once. */
  joining = $state(false);
  /** The last sync's outcome, for the top bar (shared libraries only). */
  syncState = $state<{ at: string; error: string | null } | null>(null);
  panel = $state<'none' | 'backup' | 'settings'>('none');
  toasts = $state<Toast[]>([]);
  /** The watch folders' last word, for the indicator in the top bar. */
  watchMessage = $state<{ text: string; error: boolean } | null>(null);
  /** Bumped whenever the timeline must reload. */
  generation = $state(0);
  private toastId = 0;
  private loading = new Set<string>();

  toast(text: string, error = false) {
    const id = ++this.toastId;
    this.toasts = [...this.toasts, { id, text, error }];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), error ? 9000 : 4000);
  }

  fail(e: unknown) {
    const hint = errorHint(errorKind(e));
    this.toast(hint ? `${errorText(e)} — ${hint}` : errorText(e), true);
  }

  async refreshInfo() {
    try {
      this.info = await api.libraryInfo();
    } catch (e) {
      this.fail(e);
    }
  }

  async refreshAlbums() {
    try {
      this.albums = await api.albums();
    } catch (e) {
      this.fail(e);
    }
  }

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
      this.fail(e);
    }
  }

  /** A page shown instead of the timeline. */
  page = $state<'timeline' | 'duplicates' | 'places'>('timeline');
  /** Where the Places map was left (null: the whole world). */
  mapCamera = $state<Camera | null>(null);

  showPlaces() {
    this.page = 'places';
    this.selection = new Set();
  }

  /** The photos of a cluster of the map, as a timeline. */
  async showArea(c: { south: number; west: number; north: number; east: number }) {
    await this.setView({ kind: 'area', south: c.south, west: c.west, north: c.north, east: c.east });
  }
  /** Groups of photos that look alike, while the duplicates page is open (null: looking). */
  duplicates = $state<SimilarGroup[] | null>(null);

  /** What a job is called in a sentence. */
  jobName(kind: string): string {
    return kind === 'scheduled' ? 'automatic backup' : kind;
  }

  /**
   * Waits until no job runs (often one the app started on its own: a sync, a scheduled
   * backup), telling `say` what it waits for and then null. False when `still()` says the
   * person has moved on meanwhile.
   */
  async whenIdle(say: (waiting: string | null) => void, still: () => boolean = () => true): Promise<boolean> {
    while (this.job) {
      say(`Waiting for the ${this.jobName(this.job.kind)} to finish…`);
      await new Promise((r) => setTimeout(r, 250));
      if (!still()) {
        say(null);
        return false;
      }
    }
    say(null);
    return true;
  }

  /** Set while the Duplicates page waits for another job (an automatic sync or backup). */
  duplicatesWaiting = $state<string | null>(null);

  /** Opens the duplicates page: works out the looks still missing (with progress), then groups. */
  async showDuplicates() {
    this.page = 'duplicates';
    this.selection = new Set();
    this.duplicates = null;
    // The page says so and looks once the other job is done, unless one has gone elsewhere.
    if (!(await this.whenIdle((m) => (this.duplicatesWaiting = m), () => this.page === 'duplicates'))) return;
    try {
      this.duplicates = await api.similar(this.onJob('looking'));
    } catch (e) {
      this.fail(e);
      this.duplicates = [];
    } finally {
      this.job = null;
    }
  }

  /**
   * Changes an encrypted target's password (`passphrase`, or a new recovery code when null):
   * the whole store re-encrypted as a job; Cancel stops it and the same again goes on.
   */
  async changePassword(name: string, passphrase: string | null): Promise<PasswordChange | null> {
    if (this.job) this.toast(`The change starts when the ${this.jobName(this.job.kind)} has finished.`);
    await this.whenIdle(() => {});
    try {
      const r = await api.targetChangePassword(name, passphrase, this.onJob('rekey'));
      if (r.cancelled) {
        this.toast(`Stopped: ${r.copied} re-encrypted so far. ${r.switched ? 'The new password is already in force.' : 'The old password is still in force.'} Change the password again to go on.`);
      } else {
        this.toast(`${name}: the new password is in force (${r.copied} re-encrypted, ${bytes(r.bytes)}). Other computers of this library need it.`);
      }
      return r;
    } catch (e) {
      this.fail(e);
      return null;
    } finally {
      this.job = null;
      await this.refreshInfo();
    }
  }

  /** Exports photos to a folder (originals, or JPEGs at most `size` pixels long). */
  async exportTo(hashes: string[], to: string, size: number | null) {
    if (this.job) this.toast(`The export starts when the ${this.jobName(this.job.kind)} has finished.`);
    await this.whenIdle(() => {});
    try {
      const r = await api.export(hashes, to, size, this.onJob('export'));
      const failed = r.failed.length ? `; ${r.failed.length} could not be: ${r.failed[0].reason}` : '';
      this.toast(`${r.cancelled ? 'Export cancelled: ' : ''}Exported ${r.exported} (${bytes(r.bytes)}) to ${to}${failed}`, r.failed.length > 0);
    } catch (e) {
      this.fail(e);
    } finally {
      this.job = null;
    }
  }

  /** Keeps one photo of a group: the others go to the trash (undo from the trash). */
  async keepOne(group: SimilarGroup, keep: string) {
    const rest = group.photos.map((p) => p.item.hash).filter((h) => h !== keep);
    try {
      const n = await api.setTrashed(rest, true);
      this.toast(`Kept one; moved ${n} to the trash`);
      this.duplicates = (this.duplicates ?? []).filter((g) => g !== group);
      await Promise.all([this.refreshInfo(), this.refreshAlbums()]);
      this.syncSoon();
    } catch (e) {
      this.fail(e);
    }
  }

  async setView(v: View) {
    this.page = 'timeline';
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
      this.page = 'timeline';
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
      this.fail(e);
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
  private thumbsAt = 0;

  private onJob(kind: Job['kind']) {
    const started = performance.now();
    this.job = { kind, phase: '', done: 0, total: 0, bytesDone: 0, bytesTotal: 0, current: null, errors: 0, started, waiting: null };
    return (e: JobEvent) => {
      if (!this.job) return;
      if (e.event === 'waiting') {
        this.job = { ...this.job, waiting: e.message };
      } else {
        const was = this.job.phase;
        this.job = {
          ...this.job, waiting: null, phase: e.phase, done: e.done, total: e.total,
          bytesDone: e.bytes_done, bytesTotal: e.bytes_total, current: e.current, errors: e.errors,
        };
        // A sync has taken in the other devices' photos: the timeline shows them now, while
        // their thumbnails arrive (tiles still waiting for theirs try again as they come).
        if (kind === 'sync' && e.phase === 'listed' && was !== 'listed' && e.done > 0) {
          this.reload();
          this.refreshAlbums();
        }
        if (kind === 'sync' && e.phase === 'thumbnails' && performance.now() - this.thumbsAt > 700) {
          this.thumbsAt = performance.now();
          this.thumbEpoch++;
        }
      }
    };
  }

  jobEta(): string {
    const j = this.job;
    if (!j) return '';
    const elapsed = performance.now() - j.started;
    return j.bytesTotal > 0 ? eta(j.bytesDone, j.bytesTotal, elapsed) : eta(j.done, j.total, elapsed);
  }

  async importPaths(paths: string[]) {
    if (paths.length === 0) return;
    if (this.job) this.toast(`The import starts when the ${this.jobName(this.job.kind)} has finished.`);
    await this.whenIdle(() => {});
    this.importResult = null;
    try {
      this.importResult = await api.import(paths, this.onJob('import'));
    } catch (e) {
      this.fail(e);
    } finally {
      this.job = null;
      await Promise.all([this.refreshInfo(), this.reload()]);
      this.syncSoon();
    }
  }

  async backup() {
    if (this.job) return;
    this.backupResult = null;
    try {
      this.backupResult = await api.backup(null, this.onJob('backup'));
      const bad = this.backupResult.filter((r) => !r.ok && !r.cancelled);
      if (bad.length) this.toast(`Backup to ${bad.map((b) => b.target).join(', ')} did not finish: ${bad[0].error ?? `${bad[0].failed.length} file(s) failed`}`, true);
    } catch (e) {
      this.fail(e);
    } finally {
      this.job = null;
      await this.refreshInfo();
    }
  }

  /** Sends this device's photos and edits and takes in the other devices'. `quiet` (the
   * automatic syncs) reports problems in the top bar instead of a toast each time; `target`:
   * that one only (joining: the store just added, before the default backup folder). */
  async sync(quiet = false, target: string | null = null) {
    if (this.job) return;
    if (!quiet) this.syncResult = null;
    try {
      const r = await api.sync(target, this.onJob('sync'));
      if (!quiet || r.some((t) => t.new_photos || t.edits_applied)) this.syncResult = r;
      const bad = r.filter((t) => t.error);
      this.syncState = { at: new Date().toISOString(), error: bad.length ? `${bad[0].target}: ${bad[0].error}` : null };
      if (bad.length && !quiet) this.toast(`Sync with ${bad.map((b) => b.target).join(', ')} did not finish: ${bad[0].error}`, true);
    } catch (e) {
      this.syncState = { at: new Date().toISOString(), error: errorText(e) };
      if (!quiet) this.fail(e);
    } finally {
      this.job = null;
      await Promise.all([this.refreshInfo(), this.reload(), this.refreshAlbums(), this.loadDevices()]);
    }
  }

  /** Keeps an album's originals on this computer (fetching what is on the store), or lets
   * them go. */
  async pin(album: number, on: boolean) {
    if (this.job) return;
    try {
      const r = await api.albumPin(album, on, this.onJob('pin'));
      if (!on) this.toast('No longer kept: its originals from the store may be removed to free space.');
      else if (r.failed.length) this.toast(`${r.fetched} original(s) brought here; ${r.failed.length} could not be fetched now (${r.failed[0].reason}) — tried again at the next sync`, true);
      else this.toast(`Kept on this computer${r.fetched ? `: ${r.fetched} original(s) brought here` : ''}.`);
    } catch (e) {
      this.fail(e);
    } finally {
      this.job = null;
      await Promise.all([this.refreshAlbums(), this.reload()]);
    }
  }

  private syncTimer: ReturnType<typeof setTimeout> | null = null;

  /** After imports and edits: a sync a few seconds later (edits in a row make one). */
  syncSoon() {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.autoSync();
    }, 3000);
  }

  /** What the automatic backups and verifies did last (shown in the top bar). */
  scheduleState = $state<{ at: string; job: string; text: string; error: boolean } | null>(null);

  /** Runs the automatic backups and verifies that are due (`backup_every` in Settings), when
   * nothing else runs: asked every minute. A failure is said once in a toast and in the top
   * bar; the engine tries it again after ten minutes. */
  async autoSchedule() {
    if (this.job || this.joining) return;
    let started = false;
    try {
      const due = await api.scheduleDue();
      if (!due.length || this.job) return;
      started = true;
      const ran = await api.runScheduled(this.onJob('scheduled'));
      this.job = null;
      if (!ran.length) return;
      const bad = ran.filter((r) => !r.ok);
      const last = bad[0] ?? ran[ran.length - 1];
      this.scheduleState = { at: new Date().toISOString(), job: last.job, text: last.message, error: bad.length > 0 };
      if (bad.length) this.toast(`Automatic ${bad[0].message}`, true);
      if (ran.some((r) => r.job === 'backup' && r.ok)) await this.reload();
    } catch (e) {
      // Another job started in between (the window's own button): the next minute tries again.
      if (errorKind(e) !== 'busy') this.fail(e);
    } finally {
      if (started) {
        this.job = null;
        await this.refreshInfo();
      }
    }
  }

  /** Syncs on its own when the library is shared with other devices (on start, every minute,
   * when the window regains focus) and nothing else is running. `minGapMs`: not if the last
   * sync ended less than that ago (focus comes and goes). */
  async autoSync(minGapMs = 0) {
    if (this.job || this.joining) return;
    if (minGapMs && this.syncState && Date.now() - Date.parse(this.syncState.at) < minGapMs) return;
    if (!this.devices) await this.loadDevices();
    if (!this.devices?.others.some((o) => !o.retired)) return;
    await this.sync(true);
  }

  async loadDevices() {
    try {
      this.devices = await api.devices();
    } catch (e) {
      this.fail(e);
    }
  }

  async retire(device: string) {
    try {
      await api.deviceRetire(device);
      this.toast('Retired: the other devices learn it at their next sync');
      await this.loadDevices();
    } catch (e) {
      this.fail(e);
    }
  }

  async verify() {
    if (this.job) return;
    this.verifyResult = null;
    try {
      this.verifyResult = await api.verify(this.onJob('verify'));
    } catch (e) {
      this.fail(e);
    } finally {
      this.job = null;
      await this.refreshInfo();
    }
  }

  /** Updates loaded items in place (favourite marks) without reloading the grid. */
  patchItems(hashes: string[], patch: Partial<Item>) {
    const set = new Set(hashes);
    const next = new Map(this.months);
    for (const [m, items] of next) {
      if (items.some((i) => set.has(i.hash))) next.set(m, items.map((i) => (set.has(i.hash) ? { ...i, ...patch } : i)));
    }
    this.months = next;
  }

  private watchReload: ReturnType<typeof setTimeout> | null = null;

  /** A `watch` event from the watch-folder thread: show it; new photos reload the timeline soon. */
  onWatch(e: WatchEvent) {
    this.watchMessage = { text: e.message, error: e.error };
    if (e.error) this.toast(e.message, true);
    if (e.imported > 0 && !this.watchReload) {
      this.watchReload = setTimeout(() => {
        this.watchReload = null;
        this.refreshInfo();
        if (!this.job) this.reload();
      }, 1000);
    }
  }

  async favourite(hashes: string[], on: boolean) {
    try {
      await api.setFavourite(hashes, on);
      this.patchItems(hashes, { favourite: on });
      if (this.view.kind === 'favourites') await this.reload();
      this.syncSoon();
    } catch (e) {
      this.fail(e);
    }
  }

  async rate(hashes: string[], stars: number) {
    try {
      await api.setRating(hashes, stars);
      this.patchItems(hashes, { rating: stars });
      this.syncSoon();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Turns photos a quarter; the grid follows (their tiles change shape). */
  async rotate(hashes: string[], right: boolean) {
    try {
      const r = await api.rotate(hashes, right);
      // Reloaded, not patched: a turned tile changes shape, so its month is laid out again.
      await this.reload();
      this.syncSoon();
      return r;
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  async trash(hashes: string[], on: boolean) {
    try {
      const n = await api.setTrashed(hashes, on);
      this.toast(on ? `Moved ${n} to the trash` : `Restored ${n} from the trash`);
      this.selection = new Set();
      await Promise.all([this.reload(), this.refreshAlbums(), this.refreshInfo()]);
      this.syncSoon();
    } catch (e) {
      this.fail(e);
    }
  }
}

export const app = new AppStore();

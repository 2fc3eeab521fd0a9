// The window around the features: what the library is, which page and panel are open, toasts, the watch folders' word.
import { api, errorHint, errorKind, errorText, type LibraryInfo, type WatchEvent } from '../lib/api';
import { jobs } from '../features/jobs/store.svelte';
import { timeline } from '../features/timeline/store.svelte';
import { albums } from '../features/albums/store.svelte';

export interface Toast {
  id: number;
  text: string;
  error: boolean;
}

class ShellStore {
  private toastId = 0;

  info = $state<LibraryInfo | null>(null);

  /** A page shown instead of the timeline. */
  page = $state<'timeline' | 'duplicates' | 'places' | 'people'>('timeline');

  panel = $state<'none' | 'backup' | 'settings'>('none');

  toasts = $state<Toast[]>([]);

  /** The settings were opened from the empty state to join a library on a store: the target
   * saved there is synced at once. */
  joining = $state(false);

  /** The watch folders' last word, for the indicator in the top bar. */
  watchMessage = $state<{ text: string; error: boolean } | null>(null);

  private watchReload: ReturnType<typeof setTimeout> | null = null;

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

  /** A `watch` event from the watch-folder thread: show it; new photos reload the timeline soon. */
  onWatch(e: WatchEvent) {
    this.watchMessage = { text: e.message, error: e.error };
    if (e.error) this.toast(e.message, true);
    if (e.imported > 0 && !this.watchReload) {
      this.watchReload = setTimeout(() => {
        this.watchReload = null;
        this.refreshInfo();
        if (!jobs.running) timeline.reload();
      }, 1000);
    }
  }

  /** The first view, the library's figures and the albums are loaded. */
  ready = $state(false);

  /** The name of a person whose photos are shown (set by the People page). */
  personName: (id: number) => string = () => 'Person';

  /** What the window's title says of the page or view shown. */
  get title(): string {
    const v = timeline.view;
    if (this.page === 'duplicates') return 'Duplicates';
    if (this.page === 'places' || v.kind === 'area') return 'Places';
    if (this.page === 'people') return 'People';
    if (v.kind === 'person') return this.personName(v.person);
    if (v.kind === 'favourites') return 'Favourites';
    if (v.kind === 'trash') return 'Trash';
    if (v.kind === 'album') return albums.list.find((a) => a.id === v.album)?.name ?? 'Album';
    if (v.kind === 'search') return 'Search';
    return 'Photos';
  }
}

export const shell = new ShellStore();

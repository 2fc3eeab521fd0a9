// The Duplicates page: groups of photos that look alike, and keeping one of a group.
import { api, type SimilarGroup } from '../../lib/api';
import { albums } from '../albums/store.svelte';
import { devices } from '../devices/store.svelte';
import { jobs } from '../jobs/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class DuplicatesStore {
  /** Groups of photos that look alike, while the duplicates page is open (null: looking). */
  groups = $state<SimilarGroup[] | null>(null);

  /** Set while the Duplicates page waits for another job (an automatic sync or backup). */
  waiting = $state<string | null>(null);

  /** Opens the duplicates page: works out the looks still missing (with progress), then groups. */
  async show() {
    shell.page = 'duplicates';
    timeline.selection = new Set();
    this.groups = null;
    // The page says so and looks once the other job is done, unless one has gone elsewhere.
    if (!(await jobs.whenIdle((m) => (this.waiting = m), () => shell.page === 'duplicates'))) return;
    try {
      this.groups = await api.similar(jobs.start('looking'));
    } catch (e) {
      shell.fail(e);
      this.groups = [];
    } finally {
      jobs.running = null;
    }
  }

  /** Keeps one photo of a group: the others go to the trash (undo from the trash). */
  async keepOne(group: SimilarGroup, keep: string) {
    const rest = group.photos.map((p) => p.item.hash).filter((h) => h !== keep);
    try {
      const n = await api.setTrashed(rest, true);
      shell.toast(`Kept one; moved ${n} to the trash`);
      this.groups = (this.groups ?? []).filter((g) => g !== group);
      await Promise.all([shell.refreshInfo(), albums.refresh()]);
      devices.syncSoon();
    } catch (e) {
      shell.fail(e);
    }
  }
}

export const duplicates = new DuplicatesStore();

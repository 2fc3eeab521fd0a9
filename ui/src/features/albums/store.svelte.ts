// Albums: the list in the sidebar, and keeping one's originals on this computer.
import { api, type Album } from '../../lib/api';
import { jobs } from '../jobs/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class AlbumsStore {
  list = $state<Album[]>([]);

  async refresh() {
    try {
      this.list = await api.albums();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Keeps an album's originals on this computer (fetching what is on the store), or lets
   * them go. */
  async pin(album: number, on: boolean) {
    if (jobs.running) return;
    try {
      const r = await api.albumPin(album, on, jobs.start('pin'));
      if (!on) shell.toast('No longer kept: its originals from the store may be removed to free space.');
      else if (r.failed.length) shell.toast(`${r.fetched} original(s) brought here; ${r.failed.length} could not be fetched now (${r.failed[0].reason}) — tried again at the next sync`, true);
      else shell.toast(`Kept on this computer${r.fetched ? `: ${r.fetched} original(s) brought here` : ''}.`);
    } catch (e) {
      shell.fail(e);
    } finally {
      jobs.running = null;
      await Promise.all([this.refresh(), timeline.reload()]);
    }
  }
}

export const albums = new AlbumsStore();

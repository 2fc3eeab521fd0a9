// Albums: the list in the sidebar, and keeping one's originals on this computer.
import { api, type Album } from '../../lib/api';
import { jobs } from '../jobs/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';
import { ask } from '@tauri-apps/plugin-dialog';

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

  /** The name typed for a new album (null: none is being made). */
  naming = $state<string | null>(null);
  /** The open album's new name as typed (null: not renaming). */
  renaming = $state<string | null>(null);

  /** Makes the album being named, with the selected photos in it. */
  async create() {
    const name = this.naming?.trim();
    this.naming = null;
    if (!name) return;
    const selected = timeline.selected;
    try {
      const a = await api.albumCreate(name);
      if (selected.length) await api.albumAdd(a.id, selected);
      await this.refresh();
      shell.toast(selected.length ? `Added ${selected.length} to “${a.name}”` : `Created “${a.name}”`);
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Adds the selected photos to an album. */
  async addSelected(id: number) {
    try {
      const n = await api.albumAdd(id, timeline.selected);
      await this.refresh();
      shell.toast(`Added ${n} to “${this.list.find((a) => a.id === id)?.name}”`);
      timeline.selection = new Set();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Takes the selected photos out of the open album. */
  async removeSelected() {
    const v = timeline.view;
    if (v.kind !== 'album') return;
    try {
      await api.albumRemove(v.album, timeline.selected);
      timeline.selection = new Set();
      await Promise.all([timeline.reload(), this.refresh()]);
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Gives the open album the name typed. */
  async rename() {
    const v = timeline.view;
    const name = this.renaming?.trim();
    this.renaming = null;
    if (v.kind !== 'album' || !name) return;
    try {
      await api.albumRename(v.album, name);
      await this.refresh();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Deletes the open album (asked first); its photos stay. */
  async deleteOpen() {
    const v = timeline.view;
    if (v.kind !== 'album') return;
    if (!(await ask(`Delete the album “${shell.title}”? The photos stay in your library.`, { title: 'Delete album', kind: 'warning' }))) return;
    try {
      await api.albumDelete(v.album);
      await this.refresh();
      await timeline.setView({ kind: 'all' });
    } catch (e) {
      shell.fail(e);
    }
  }
}

export const albums = new AlbumsStore();

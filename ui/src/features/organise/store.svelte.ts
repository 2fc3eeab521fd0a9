// Edits to photos from the grid and the viewer: favourite, stars, rotation, the trash.
import { api } from '../../lib/api';
import { albums } from '../albums/store.svelte';
import { devices } from '../devices/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';
import { ask } from '@tauri-apps/plugin-dialog';
import { bytes } from '../../lib/format';

class OrganiseStore {
  async favourite(hashes: string[], on: boolean) {
    try {
      await api.setFavourite(hashes, on);
      timeline.patchItems(hashes, { favourite: on });
      if (timeline.view.kind === 'favourites') await timeline.reload();
      devices.syncSoon();
    } catch (e) {
      shell.fail(e);
    }
  }

  async rate(hashes: string[], stars: number) {
    try {
      await api.setRating(hashes, stars);
      timeline.patchItems(hashes, { rating: stars });
      devices.syncSoon();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Turns photos a quarter; the grid follows (their tiles change shape). */
  async rotate(hashes: string[], right: boolean) {
    try {
      const r = await api.rotate(hashes, right);
      // Reloaded, not patched: a turned tile changes shape, so its month is laid out again.
      await timeline.reload();
      devices.syncSoon();
      return r;
    } catch (e) {
      shell.fail(e);
      return null;
    }
  }

  async trash(hashes: string[], on: boolean) {
    try {
      const n = await api.setTrashed(hashes, on);
      shell.toast(on ? `Moved ${n} to the trash` : `Restored ${n} from the trash`);
      timeline.selection = new Set();
      await Promise.all([timeline.reload(), albums.refresh(), shell.refreshInfo()]);
      devices.syncSoon();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** The selected photos whose date or place is being fixed (the Fix dialog). */
  fixing = $state<{ kind: 'date' | 'place'; hashes: string[] } | null>(null);

  /** Runs a fix on the photos of the Fix dialog, then says so and reloads. */
  async fixMany(run: (hashes: string[]) => Promise<unknown>, done: string) {
    const f = this.fixing;
    if (!f) return;
    try {
      await run(f.hashes);
      this.fixing = null;
      shell.toast(`${done} ${f.hashes.length} item(s)`);
      timeline.selection = new Set();
      await timeline.reload();
      devices.syncSoon();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Deletes what is in the trash from this computer for good (asked first). */
  async emptyTrash() {
    const n = timeline.found;
    const shared = (devices.known?.others.length ?? 0) > 0;
    if (!(await ask(`Delete ${n} item(s) from this computer for good? Copies already backed up stay on your backup targets${shared ? '; your other devices keep theirs until they empty their own trash' : ''}.`, { title: 'Empty trash', kind: 'warning' }))) return;
    try {
      const r = await api.emptyTrash();
      shell.toast(`Deleted ${r.deleted} item(s), ${bytes(r.bytes)} freed${r.failed.length ? `; ${r.failed.length} could not be deleted: ${r.failed[0].reason}` : ''}`, r.failed.length > 0);
      await Promise.all([timeline.reload(), shell.refreshInfo(), albums.refresh()]);
    } catch (e) {
      shell.fail(e);
    }
  }
}

export const organise = new OrganiseStore();

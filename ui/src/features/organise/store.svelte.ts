// Edits to photos from the grid and the viewer: favourite, stars, rotation, the trash.
import { api } from '../../lib/api';
import { albums } from '../albums/store.svelte';
import { devices } from '../devices/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

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
}

export const organise = new OrganiseStore();

// One library on several computers: syncing (by hand, soon after an edit, every minute), the other devices, retiring one.
import { api, errorText, type Devices, type TargetSync } from '../../lib/api';
import { people } from '../people/store.svelte';
import { albums } from '../albums/store.svelte';
import { jobs } from '../jobs/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class DevicesStore {
  syncResult = $state<TargetSync[] | null>(null);

  known = $state<Devices | null>(null);

  /** The last sync's outcome, for the top bar (shared libraries only). */
  syncState = $state<{ at: string; error: string | null } | null>(null);

  /** Sends this device's photos and edits and takes in the other devices'. `quiet` (the
   * automatic syncs) reports problems in the top bar instead of a toast each time; `target`:
   * that one only (joining: the store just added, before the default backup folder). */
  async sync(quiet = false, target: string | null = null) {
    if (jobs.running) return;
    if (!quiet) this.syncResult = null;
    try {
      const r = await api.sync(target, jobs.start('sync'));
      if (!quiet || r.some((t) => t.new_photos || t.edits_applied)) this.syncResult = r;
      // Other devices' photos: their faces are found here (names given there come with them).
      if (r.some((t) => t.new_photos)) people.lookForFaces();
      const bad = r.filter((t) => t.error);
      this.syncState = { at: new Date().toISOString(), error: bad.length ? `${bad[0].target}: ${bad[0].error}` : null };
      if (bad.length && !quiet) shell.toast(`Sync with ${bad.map((b) => b.target).join(', ')} did not finish: ${bad[0].error}`, true);
    } catch (e) {
      this.syncState = { at: new Date().toISOString(), error: errorText(e) };
      if (!quiet) shell.fail(e);
    } finally {
      jobs.running = null;
      await Promise.all([shell.refreshInfo(), timeline.reload(), albums.refresh(), this.load()]);
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

  /** Syncs on its own when the library is shared with other devices (on start, every minute,
   * when the window regains focus) and nothing else is running. `minGapMs`: not if the last
   * sync ended less than that ago (focus comes and goes). */
  async autoSync(minGapMs = 0) {
    if (jobs.running || shell.joining) return;
    if (minGapMs && this.syncState && Date.now() - Date.parse(this.syncState.at) < minGapMs) return;
    if (!this.known) await this.load();
    if (!this.known?.others.some((o) => !o.retired)) return;
    await this.sync(true);
  }

  async load() {
    try {
      this.known = await api.devices();
    } catch (e) {
      shell.fail(e);
    }
  }

  async retire(device: string) {
    try {
      await api.deviceRetire(device);
      shell.toast('Retired: the other devices learn it at their next sync');
      await this.load();
    } catch (e) {
      shell.fail(e);
    }
  }
}

export const devices = new DevicesStore();

// The one long job at a time (import, export, backup, verify, sync, pin, re-encryption) and its progress; import and export themselves.
import { api, type ImportSummary, type JobEvent } from '../../lib/api';
import { bytes, eta } from '../../lib/format';
import { albums } from '../albums/store.svelte';
import { people } from '../people/store.svelte';
import { devices } from '../devices/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';
import { open } from '@tauri-apps/plugin-dialog';

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

class JobsStore {
  running = $state<Job | null>(null);

  importResult = $state<ImportSummary | null>(null);

  /** What a job is called in a sentence. */
  name(kind: string): string {
    return kind === 'scheduled' ? 'automatic backup' : kind;
  }

  /**
   * Waits until no job runs (often one the app started on its own: a sync, a scheduled
   * backup), telling `say` what it waits for and then null. False when `still()` says the
   * person has moved on meanwhile.
   */
  async whenIdle(say: (waiting: string | null) => void, still: () => boolean = () => true): Promise<boolean> {
    while (this.running) {
      say(`Waiting for the ${this.name(this.running.kind)} to finish…`);
      await new Promise((r) => setTimeout(r, 250));
      if (!still()) {
        say(null);
        return false;
      }
    }
    say(null);
    return true;
  }

  private thumbsAt = 0;

  start(kind: Job['kind']) {
    const started = performance.now();
    this.running = { kind, phase: '', done: 0, total: 0, bytesDone: 0, bytesTotal: 0, current: null, errors: 0, started, waiting: null };
    return (e: JobEvent) => {
      if (!this.running) return;
      if (e.event === 'waiting') {
        this.running = { ...this.running, waiting: e.message };
      } else {
        const was = this.running.phase;
        this.running = {
          ...this.running, waiting: null, phase: e.phase, done: e.done, total: e.total,
          bytesDone: e.bytes_done, bytesTotal: e.bytes_total, current: e.current, errors: e.errors,
        };
        // A sync has taken in the other devices' photos: the timeline shows them now, while
        // their thumbnails arrive (tiles still waiting for theirs try again as they come).
        if (kind === 'sync' && e.phase === 'listed' && was !== 'listed' && e.done > 0) {
          timeline.reload();
          albums.refresh();
        }
        if (kind === 'sync' && e.phase === 'thumbnails' && performance.now() - this.thumbsAt > 700) {
          this.thumbsAt = performance.now();
          timeline.thumbEpoch++;
        }
      }
    };
  }

  eta(): string {
    const j = this.running;
    if (!j) return '';
    const elapsed = performance.now() - j.started;
    return j.bytesTotal > 0 ? eta(j.bytesDone, j.bytesTotal, elapsed) : eta(j.done, j.total, elapsed);
  }

  async importPaths(paths: string[]) {
    if (paths.length === 0) return;
    if (this.running) shell.toast(`The import starts when the ${this.name(this.running.kind)} has finished.`);
    await this.whenIdle(() => {});
    this.importResult = null;
    try {
      this.importResult = await api.import(paths, this.start('import'));
    } catch (e) {
      shell.fail(e);
    } finally {
      this.running = null;
      await Promise.all([shell.refreshInfo(), timeline.reload()]);
      devices.syncSoon();
      // Faces after the import's own result: in the background, on the photos just added.
      if (this.importResult?.imported) people.lookForFaces();
    }
  }

  /** Exports photos to a folder (originals, or JPEGs at most `size` pixels long). */
  async exportTo(hashes: string[], to: string, size: number | null) {
    if (this.running) shell.toast(`The export starts when the ${this.name(this.running.kind)} has finished.`);
    await this.whenIdle(() => {});
    try {
      const r = await api.export(hashes, to, size, this.start('export'));
      const failed = r.failed.length ? `; ${r.failed.length} could not be: ${r.failed[0].reason}` : '';
      shell.toast(`${r.cancelled ? 'Export cancelled: ' : ''}Exported ${r.exported} (${bytes(r.bytes)}) to ${to}${failed}`, r.failed.length > 0);
    } catch (e) {
      shell.fail(e);
    } finally {
      this.running = null;
    }
  }

  /** The photos the Export dialog is about (null: closed). */
  exporting = $state<string[] | null>(null);

  /** Asks for files or folders to import, then imports them. */
  async importDialog(directory: boolean) {
    const picked = await open({ multiple: true, directory, title: directory ? 'Import folders' : 'Import photos and videos' });
    if (!picked) return;
    this.importPaths(Array.isArray(picked) ? picked : [picked]);
  }
}

export const jobs = new JobsStore();

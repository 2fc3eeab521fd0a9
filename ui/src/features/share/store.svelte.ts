// Sharing the open album by link: its shares, a new one, revoking one.
import { api, type ShareTarget, type ShareView } from '../../lib/api';
import { shell } from '../../shell/store.svelte';

class ShareStore {
  /** The album whose Share dialog is open (null: closed). */
  album = $state<string | null>(null);
  shares = $state<ShareView[]>([]);
  targets = $state<ShareTarget[]>([]);
  busy = $state(false);

  async open(album: string) {
    this.album = album;
    try {
      [this.shares, this.targets] = await Promise.all([api.shares(album), api.shareTargets()]);
    } catch (e) {
      shell.fail(e);
    }
  }

  close() {
    this.album = null;
  }

  /** Publishes the album on `target` (giving it `publicUrl` first, when typed), with a
   * password when one is typed. */
  async create(target: string, publicUrl: string, expiresDays: number | null, password: string) {
    if (!this.album || this.busy) return;
    this.busy = true;
    try {
      const s = await api.shareCreate(this.album, target, publicUrl.trim() || null, expiresDays, password || null);
      this.shares = [s, ...this.shares];
      this.targets = await api.shareTargets();
      shell.toast(`“${s.album}” is shared: ${s.photos} photo(s). Send the link.`);
    } catch (e) {
      shell.fail(e);
    } finally {
      this.busy = false;
    }
  }

  async revoke(id: string) {
    if (this.busy) return;
    this.busy = true;
    try {
      const n = await api.shareRevoke(id);
      this.shares = this.shares.filter((s) => s.id !== id);
      shell.toast(`Share revoked: ${n} file(s) deleted from the store; its link opens nothing now.`);
    } catch (e) {
      shell.fail(e);
    } finally {
      this.busy = false;
    }
  }
}

export const share = new ShareStore();

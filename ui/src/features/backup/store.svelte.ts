// Backups and verifies, by hand and on the schedule, and changing a target's password.
import { api, errorKind, type PasswordChange, type TargetBackup, type TargetVerify } from '../../lib/api';
import { bytes } from '../../lib/format';
import { jobs } from '../jobs/store.svelte';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class BackupsStore {
  backupResult = $state<TargetBackup[] | null>(null);

  verifyResult = $state<TargetVerify[] | null>(null);

  async backup() {
    if (jobs.running) return;
    this.backupResult = null;
    try {
      this.backupResult = await api.backup(null, jobs.start('backup'));
      const bad = this.backupResult.filter((r) => !r.ok && !r.cancelled);
      if (bad.length) shell.toast(`Backup to ${bad.map((b) => b.target).join(', ')} did not finish: ${bad[0].error ?? `${bad[0].failed.length} file(s) failed`}`, true);
    } catch (e) {
      shell.fail(e);
    } finally {
      jobs.running = null;
      await shell.refreshInfo();
    }
  }

  async verify() {
    if (jobs.running) return;
    this.verifyResult = null;
    try {
      this.verifyResult = await api.verify(jobs.start('verify'));
    } catch (e) {
      shell.fail(e);
    } finally {
      jobs.running = null;
      await shell.refreshInfo();
    }
  }

  /** What the automatic backups and verifies did last (shown in the top bar). */
  scheduleState = $state<{ at: string; job: string; text: string; error: boolean } | null>(null);

  /** Runs the automatic backups and verifies that are due (`backup_every` in Settings), when
   * nothing else runs: asked every minute. A failure is said once in a toast and in the top
   * bar; the engine tries it again after ten minutes. */
  async autoSchedule() {
    if (jobs.running || shell.joining) return;
    let started = false;
    try {
      const due = await api.scheduleDue();
      if (!due.length || jobs.running) return;
      started = true;
      const ran = await api.runScheduled(jobs.start('scheduled'));
      jobs.running = null;
      if (!ran.length) return;
      const bad = ran.filter((r) => !r.ok);
      const last = bad[0] ?? ran[ran.length - 1];
      this.scheduleState = { at: new Date().toISOString(), job: last.job, text: last.message, error: bad.length > 0 };
      if (bad.length) shell.toast(`Automatic ${bad[0].message}`, true);
      if (ran.some((r) => r.job === 'backup' && r.ok)) await timeline.reload();
    } catch (e) {
      // Another job started in between (the window's own button): the next minute tries again.
      if (errorKind(e) !== 'busy') shell.fail(e);
    } finally {
      if (started) {
        jobs.running = null;
        await shell.refreshInfo();
      }
    }
  }

  /**
   * Changes an encrypted target's password (`passphrase`, or a new recovery code when null):
   * the whole store re-encrypted as a job; Cancel stops it and the same again goes on.
   */
  async changePassword(name: string, passphrase: string | null): Promise<PasswordChange | null> {
    if (jobs.running) shell.toast(`The change starts when the ${jobs.name(jobs.running.kind)} has finished.`);
    await jobs.whenIdle(() => {});
    try {
      const r = await api.targetChangePassword(name, passphrase, jobs.start('rekey'));
      if (r.cancelled) {
        shell.toast(`Stopped: ${r.copied} re-encrypted so far. ${r.switched ? 'The new password is already in force.' : 'The old password is still in force.'} Change the password again to go on.`);
      } else {
        shell.toast(`${name}: the new password is in force (${r.copied} re-encrypted, ${bytes(r.bytes)}). Other computers of this library need it.`);
      }
      return r;
    } catch (e) {
      shell.fail(e);
      return null;
    } finally {
      jobs.running = null;
      await shell.refreshInfo();
    }
  }
}

export const backups = new BackupsStore();

// Backup, automatic backups, an encrypted target, and sync with another computer, in the app.
//
// Steps of app.e2e.mjs, registered in order after its own: they run in the same app session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key } from 'selenium-webdriver';
import { bin, cli, clickEnabled, launch, removeWorld, serveS3, shot as screenshot, waitFor, world } from './harness.mjs';

/** The first link the Share dialog lists, once it shows one. */
const firstLink = (d) => waitFor('the link', async () => {
  const e = await d.findElements(By.css('[data-testid=share-link]'));
  return e.length ? e[0].getAttribute('value') : null;
}, 60000);

export function storeSteps(ctx) {
  const { w, shot, js, text, allTileHashes, tileNamed, onTile, clickTile } = ctx;
  test('Backup puts originals and a catalog snapshot on the default target', async () => {
    const { d } = ctx;
    await clickEnabled(d, By.css('[data-testid=backup]'));
    const done = await waitFor('backup done', async () => {
      const e = await d.findElements(By.css('[data-testid=backup-done]'));
      return e.length ? e[0].getText() : null;
    }, 120000);
    assert.match(done, /✓ Backed up · \d+ new · just now/);
    const fixtures = JSON.parse(cli(w, ['ls', '--json'])).length;
    assert.equal(done, `✓ Backed up · ${fixtures} new · just now`);
    await d.findElement(By.css('[data-testid=backup-status]')).click();
    await waitFor('panel', () => d.findElements(By.css('[data-testid=backup-panel]')).then((e) => e.length > 0));
    const pending = await text('[data-testid=backup-panel] [data-field=pending]');
    assert.equal(pending, '0 photos not backed up yet');
    await shot('backup');

    // On disk: every original byte for byte, a snapshot and the pointer.
    const store = join(w.home, 'Shoebox Backup');
    const listed = JSON.parse(cli(w, ['ls', '--json']));
    for (const a of listed) {
      // The store names an original by its library path with a content tag before the extension.
      const dot = a.path.lastIndexOf('.');
      const key = dot > a.path.lastIndexOf('/') ? `${a.path.slice(0, dot)}~${a.hash.slice(0, 16)}${a.path.slice(dot)}` : `${a.path}~${a.hash.slice(0, 16)}`;
      const onStore = join(store, key);
      assert.ok(existsSync(onStore), `${key} is on the store`);
      assert.ok(readFileSync(onStore).equals(readFileSync(join(w.library, a.path))), `${a.path} matches`);
    }
    const devices = readdirSync(join(store, 'catalogs'));
    assert.equal(devices.length, 1);
    const snaps = readdirSync(join(store, 'catalogs', devices[0])).filter((f) => f.endsWith('.db'));
    assert.ok(snaps.length >= 1);
    assert.ok(statSync(join(store, 'catalogs', devices[0], 'latest.json')).size > 0);

    // The snapshot carries the favourite and the album: restore it elsewhere and look.
    const restored = join(w.root, 'restored');
    cli(w, ['restore', '--to', restored, '--target', 'local']);
    const back = JSON.parse(execFileSync(bin('shoebox'), ['ls', '--json'], { env: { ...process.env, SHOEBOX_LIBRARY: restored }, encoding: 'utf8' }));
    assert.equal(back.length, listed.length);
    assert.equal(back.find((a) => a.original_name === 'IMG_0100.JPG').favourite, true);
  });

  test("an album's Share… publishes it with a link and a QR code, and Revoke deletes it", async () => {
    const { d } = ctx;
    await js("document.querySelector('[data-testid=backup-panel] .close')?.click()");
    await d.findElement(By.css('[data-testid=album]')).click();
    await clickEnabled(d, By.css('[data-testid=album-share]'));
    const url = await waitFor('the public address field', () => d.findElement(By.css('[data-testid=share-public-url]')));
    await url.clear();
    await url.sendKeys('http://127.0.0.1:9/photos');
    await clickEnabled(d, By.css('[data-testid=share-create]'));
    const link = await firstLink(d);
    const listed = JSON.parse(cli(w, ['share', 'list', '--json']));
    assert.equal(listed.length, 1);
    assert.equal(link, listed[0].link);
    assert.match(link, /^http:\/\/127\.0\.0\.1:9\/photos\/shares\/index\.html#s=[0-9a-f]{32}&k=[A-Za-z0-9_-]{43}$/);
    assert.equal(listed[0].album, 'Holiday <b>2022</b>');
    assert.ok(await js("return !!document.querySelector('[data-testid=share-qr] svg')"), 'a QR code');
    const folder = join(w.home, 'Shoebox Backup', 'shares', listed[0].id);
    assert.ok(existsSync(join(folder, 'manifest.bin')), 'published on the default target');
    await shot('share-dialog');
    // A second link, with a password: it holds no key.
    await d.findElement(By.css('[data-testid=share-password]')).sendKeys('open sesame');
    await clickEnabled(d, By.css('[data-testid=share-create]'));
    await waitFor('the second link', async () => (await d.findElements(By.css('[data-testid=share-item]'))).length === 2, 60000);
    const both = JSON.parse(cli(w, ['share', 'list', '--json']));
    const locked = both.find((s) => s.password);
    assert.ok(locked, 'a share with a password');
    assert.match(locked.link, /#s=[0-9a-f]{32}&p=1$/);
    assert.ok(existsSync(join(w.home, 'Shoebox Backup', 'shares', locked.id, 'lock.json')));
    for (let n = 2; n > 0; n--) {
      await d.findElement(By.css('[data-testid=share-revoke]')).click();
      await waitFor('a share gone', async () => (await d.findElements(By.css('[data-testid=share-item]'))).length === n - 1, 60000);
    }
    assert.deepEqual(JSON.parse(cli(w, ['share', 'list', '--json'])), []);
    assert.ok(!existsSync(folder) || readdirSync(folder, { recursive: true }).every((f) => statSync(join(folder, f)).isDirectory()), 'revoke left files');
    await d.findElement(By.css('[data-testid=share-dialog] .close')).click();

    // An S3 target with no public address: the store signs the link, for a week at most.
    const s3 = await serveS3(join(w.root, 's3-share'), 'gallery', 'AKAPP,SKAPPSECRET');
    try {
      cli(w, ['target', 'add', 's3', '--scheme', 's3', '--opt', `endpoint=http://127.0.0.1:${s3.port}`, '--opt', 'bucket=gallery',
        '--secret', 'access_key_id=AKAPP', '--secret', 'secret_access_key=SKAPPSECRET']);
      await clickEnabled(d, By.css('[data-testid=album-share]'));
      await waitFor('s3 in the target list', () => js("return !!document.querySelector('[data-testid=share-dialog] select option[value=s3]')"));
      await js("const s = document.querySelector('[data-testid=share-dialog] select'); s.value = 's3'; s.dispatchEvent(new Event('change', { bubbles: true }))");
      await waitFor('the signed note', async () => {
        const e = await d.findElements(By.css('[data-testid=share-signed-note]'));
        return e.length ? e[0].getText() : null;
      });
      assert.equal(await d.findElement(By.css('[data-testid=share-public-url]')).getAttribute('value'), '');
      const daysBox = await d.findElement(By.css('[data-testid=share-dialog] input[aria-label=Days]'));
      await daysBox.clear();
      await daysBox.sendKeys('8');
      assert.match(await d.findElement(By.css('[data-testid=share-signed-note]')).getText(), /at most 7 days\. Choose 7 days or fewer/);
      assert.equal(await d.findElement(By.css('[data-testid=share-create]')).isEnabled(), false, '8 days cannot be signed');
      await daysBox.clear();
      await daysBox.sendKeys('7');
      await clickEnabled(d, By.css('[data-testid=share-create]'));
      const signed = await firstLink(d);
      assert.match(signed, new RegExp(`^http://127\\.0\\.0\\.1:${s3.port}/gallery/shares/index\\.html\\?X-Amz-.*X-Amz-Expires=604800.*#s=[0-9a-f]{32}&k=[A-Za-z0-9_-]{43}&m=[0-9a-f]{64}$`));
      const mine = JSON.parse(cli(w, ['share', 'list', '--json']));
      assert.equal(mine.length, 1);
      assert.equal(mine[0].link, signed);
      assert.ok(existsSync(join(w.root, 's3-share', 'gallery', 'shares', mine[0].id, 'manifest.bin')));
      await d.findElement(By.css('[data-testid=share-revoke]')).click();
      await waitFor('the signed share gone', async () => (await d.findElements(By.css('[data-testid=share-item]'))).length === 0, 60000);
      await d.findElement(By.css('[data-testid=share-dialog] .close')).click();
    } finally {
      cli(w, ['target', 'remove', 's3']);
      s3.child.kill('SIGTERM');
    }
    await js("document.querySelector('.side button').click()"); // back to Photos
  });

  test('automatic backups: a period in Settings, the next one in the Backup panel, then a backup on its own', async () => {
    const { d, app } = ctx;
    const toasts = () => js("return [...document.querySelectorAll('[data-testid=toast]')].map(t => t.textContent).join(' ')");
    const setEvery = async (value) => {
      if (!(await d.findElements(By.css('[data-testid=settings]'))).length) {
        await d.findElement(By.css('[data-testid=settings-button]')).click();
      }
      const input = await waitFor('the schedule field', async () => (await d.findElements(By.css('[data-testid=backup-every]')))[0]);
      await js("const i = arguments[0]; i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }))", input);
      await input.sendKeys(value);
      await d.findElement(By.css('[data-testid=schedule-save]')).click();
    };
    // A period the app cannot read is refused with what to write instead.
    await setEvery('soon');
    await waitFor('the refusal', async () => /backup_every: "soon" is not a period; use e\.g\. 30m/.test(await toasts()), 10000);
    await setEvery('1m');
    await waitFor('saved', async () => (await toasts()).includes('Settings saved.'), 10000);
    assert.equal(JSON.parse(cli(w, ['settings', '--json'])).backup_every, '1m');
    await d.findElement(By.css('[data-testid=backup-status]')).click();
    const planned = await waitFor('the plan', async () => {
      const t = await text('[data-testid=backup-panel] [data-field=schedule]');
      return /^every 1m; next (now|in 1 min)$/.test(t) ? t : null;
    }, 10000);
    assert.ok(planned);
    // The window looks at the schedule every minute; the suite asks it now and again instead of
    // waiting for the minute. The backup by hand was under a minute ago: the next one is due
    // when that minute is up.
    const state = await waitFor('an automatic backup', async () => {
      await js('return window.__shoebox_schedule()');
      return js("return document.querySelector('[data-testid=schedule-state]')?.textContent.trim() || null");
    }, 120000, 2000);
    assert.match(state, /^✓ Backed up automatically/);
    assert.match(await text('[data-testid=backup-panel] [data-field=last_backup]'), /just now/);
    // Off again, so nothing runs on its own during the rest of the suite.
    await setEvery('off');
    await waitFor('off', async () => JSON.parse(cli(w, ['settings', '--json'])).backup_every === 'off', 10000);
    await d.findElement(By.css('[data-testid=backup-status]')).click();
    await waitFor('the plan off', async () => (await text('[data-testid=backup-panel] [data-field=schedule]')) === 'off (Settings)', 10000);
    await d.findElement(By.css('[data-testid=backup-panel] .close')).click();
  });

  test('an encrypted target: the recovery code shown once, and rclone reads the backup with it', async () => {
    const { d } = ctx;
    const vault = join(w.root, 'vault');
    if (!(await d.findElements(By.css('[data-testid=settings]'))).length) {
      await d.findElement(By.css('[data-testid=settings-button]')).click();
    }
    await waitFor('settings', () => d.findElements(By.css('[data-testid=settings]')).then((e) => e.length > 0));
    await js("[...document.querySelectorAll('[data-testid=settings] button')].find((b) => b.textContent.trim() === 'Add target…').click()");
    const form = await waitFor('the form', async () => (await d.findElements(By.css('[data-testid=target-form]')))[0]);
    const type = async (css, value) => {
      const el = await form.findElement(By.css(css));
      await js("const i = arguments[0]; i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }))", el);
      await el.sendKeys(value);
    };
    await type('input[required]', 'vault');
    await type('[data-field=root]', vault);
    await form.findElement(By.css('[data-testid=target-encrypt]')).click();
    await form.findElement(By.css('[data-testid=target-save]')).click();
    const code = await waitFor('the recovery code', async () => {
      const e = await d.findElements(By.css('[data-testid=recovery-code]'));
      return e.length ? e[0].getText() : null;
    });
    assert.match(code, /^[a-z2-7]{4}(-[a-z2-7]{4}){5}$/);
    const config = await text('[data-testid=recovery-config]');
    assert.match(config, /type = crypt\nremote = .*vault\nfilename_encryption = standard\ndirectory_name_encryption = true\npassword = \S+/);
    await shot('recovery-code');
    await d.findElement(By.css('[data-testid=recovery-done]')).click();
    await waitFor('the dialog gone', async () => (await d.findElements(By.css('[data-testid=recovery]'))).length === 0);
    assert.equal((await d.findElements(By.css('[data-testid=target-locked]'))).length, 1);
    // The code is nowhere in the library.
    assert.ok(!readFileSync(join(w.library, '.shoebox', 'catalog.db')).includes(Buffer.from(code)));

    // Back up: the store holds ciphertext only, and rclone with the printed lines reads a photo.
    await clickEnabled(d, By.css('[data-testid=backup]'));
    // (A "Backed up" from the earlier backup may still show: done is the marker there and no job.)
    await waitFor('backup done', async () => existsSync(join(vault, 'SHOEBOX-ENCRYPTED.json'))
      && (await d.findElements(By.css('[data-testid=job]'))).length === 0, 120000);
    assert.match(JSON.parse(cli(w, ['status', '--json'])).targets.find((t) => t.name === 'vault').pending_uploads.toString(), /^0$/);
    assert.ok(!existsSync(join(vault, 'originals')) && !existsSync(join(vault, 'shoebox.json')));
    const password = config.match(/password = (\S+)/)[1];
    const a = JSON.parse(cli(w, ['ls', '--json'])).find((x) => x.original_name === 'IMG_0100.JPG');
    const dot = a.path.lastIndexOf('.');
    const key = `${a.path.slice(0, dot)}~${a.hash.slice(0, 16)}${a.path.slice(dot)}`;
    const got = execFileSync('rclone', ['cat', `:crypt,remote='${vault}',password=${password}:${key}`], { env: { ...process.env, RCLONE_CONFIG: '/dev/null' } });
    assert.ok(got.equals(readFileSync(join(w.library, a.path))), 'rclone reads the original byte for byte');

    // A new password: the dialog says what it costs, the job re-encrypts everything, the new
    // recovery code is shown once, and rclone reads the photo with it and not with the old one.
    if (!(await d.findElements(By.css('[data-testid=settings]'))).length) {
      await d.findElement(By.css('[data-testid=settings-button]')).click();
    }
    await clickEnabled(d, By.css('[data-testid=target-rekey]'));
    const dialog = await waitFor('the dialog', async () => (await d.findElements(By.css('[data-testid=rekey-dialog]')))[0]);
    assert.match(await dialog.getText(), /as long as a first backup/);
    await js("arguments[0].scrollIntoView({ block: 'center' })", dialog);
    await shot('change-password');
    await d.findElement(By.css('[data-testid=rekey-start]')).click();
    const code2 = await waitFor('the new recovery code', async () => {
      const e = await d.findElements(By.css('[data-testid=recovery-code]'));
      return e.length ? e[0].getText() : null;
    }, 120000);
    assert.notEqual(code2, code);
    const password2 = (await text('[data-testid=recovery-config]')).match(/password = (\S+)/)[1];
    await d.findElement(By.css('[data-testid=recovery-done]')).click();
    const rcat = (pw) => execFileSync('rclone', ['cat', `:crypt,remote='${vault}',password=${pw}:${key}`], { env: { ...process.env, RCLONE_CONFIG: '/dev/null' }, stdio: ['ignore', 'pipe', 'ignore'] });
    assert.ok(rcat(password2).equals(readFileSync(join(w.library, a.path))), 'the new code reads it');
    assert.throws(() => rcat(password), 'the old one does not');

    // Removed again (the store stays), so the rest of the suite backs up where it did.
    if (!(await d.findElements(By.css('[data-testid=settings]'))).length) {
      await d.findElement(By.css('[data-testid=settings-button]')).click();
    }
    await waitFor('settings', () => d.findElements(By.css('[data-testid=settings]')).then((e) => e.length > 0));
    await js(`const row = [...document.querySelectorAll('[data-testid=settings] .target')].find((r) => r.querySelector('strong')?.textContent === 'vault');
      [...row.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Remove').click();`);
    await waitFor('vault removed', async () => (await d.findElements(By.css('[data-testid=target-locked]'))).length === 0);
    await d.findElement(By.css('[data-testid=settings] .close')).click();
  });

  test('Sync brings another computer\'s photo with a cloud until its original is fetched', async () => {
    const { d } = ctx;
    // Another library on this machine uses the same default backup folder as its store: it
    // imports a photo of its own and syncs.
    const other = join(w.root, 'other-library');
    const src = join(w.root, 'other-src');
    mkdirSync(src, { recursive: true });
    const bytes = Buffer.concat([readFileSync(join(w.fixtures, 'IMG_0100.JPG')), Buffer.from('another computer')]);
    writeFileSync(join(src, 'FROM_LAPTOP.JPG'), bytes);
    const otherCli = (args) => execFileSync(bin('shoebox'), ['--library', other, ...args], {
      env: { ...process.env, HOME: w.home, SHOEBOX_SECRETS_FILE: join(w.home, 'secrets.json'), SHOEBOX_DEVICE_NAME: 'laptop' },
      encoding: 'utf8',
    });
    otherCli(['import', src]);
    otherCli(['sync']);

    // The backup panel (still open after the backup test, or opened now).
    if ((await d.findElements(By.css('[data-testid=backup-panel]'))).length === 0) {
      await d.findElement(By.css('[data-testid=backup-status]')).click();
    }
    await waitFor('panel', () => d.findElements(By.css('[data-testid=backup-panel]')).then((e) => e.length > 0));
    await clickEnabled(d, By.css('[data-testid=sync-now]'));
    const result = await waitFor('sync result', async () => {
      const e = await d.findElements(By.css('[data-testid=sync-result]'));
      return e.length ? e[0].getText() : null;
    }, 120000);
    assert.match(result, /local: 1 new photo\(s\) and \d+ change\(s\) from 1 other device\(s\)/);
    const devices = await waitFor('devices', async () => {
      const t = await text('[data-testid=devices]');
      return t.includes('laptop') ? t : null;
    });
    assert.match(devices, /laptop · 1 photo\(s\)/);
    await shot('sync');
    await js("document.querySelector('[data-testid=backup-panel] .close').click()");

    // The laptop's photo is in the timeline with a cloud: its original is still on the store.
    // How many clouds the tile shows (in an object: 0 is an answer too).
    const clouds = () => onTile('FROM_LAPTOP.JPG', async (t) => ({ n: (await t.findElements(By.css('[data-testid=cloud]'))).length }));
    assert.equal((await clouds()).n, 1);
    await clickTile('FROM_LAPTOP.JPG');
    await waitFor('viewer', () => d.findElements(By.css('[data-testid=viewer]')).then((e) => e.length > 0));
    await waitFor('where it came from', async () => {
      const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=device]'));
      return e.length && (await e[0].getText()) === 'laptop';
    });
    // It comes on its own, in the background.
    await waitFor('original here', async () => (await text('[data-testid=info-panel] [data-field=original]')) === 'on this computer');
    await d.findElement(By.css('body')).sendKeys(Key.ESCAPE);
    await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);
    assert.equal((await clouds()).n, 0, 'no cloud once the original is here');
    // And the CLI agrees: the original is on this computer now.
    const a = JSON.parse(cli(w, ['ls', '--json'])).find((x) => x.original_name === 'FROM_LAPTOP.JPG');
    assert.equal(a.local, true);

    // The library is shared now: it syncs on its own. The laptop favourites its photo; when the
    // window regains focus the heart appears without a click, and the top bar says so.
    otherCli(['favourite', a.hash]);
    otherCli(['sync']);
    await js("window.dispatchEvent(new Event('focus'))");
    await waitFor('the laptop\'s favourite', async () => {
      const t = await tileNamed('FROM_LAPTOP.JPG');
      return (await t.findElements(By.css('.heart'))).length === 1;
    }, 60000);
    const state = await waitFor('sync state', () => js("return document.querySelector('[data-testid=sync-state]')?.textContent.trim()"));
    assert.match(state, /Synced just now/);
    assert.ok(await (await d.findElement(By.css('[data-testid=sync-state]'))).isDisplayed(), 'shown in the top bar');

    // Deleted on the laptop: it moves to this computer's trash, which says where it was deleted.
    otherCli(['trash', a.hash]);
    otherCli(['sync']);
    await js("window.dispatchEvent(new Event('focus'))");
    await waitFor('gone from the timeline', async () => !JSON.parse(cli(w, ['ls', '--json'])).some((x) => x.hash === a.hash), 60000);
    await d.findElement(By.css('[data-testid=nav-trash]')).click();
    await clickTile('FROM_LAPTOP.JPG');
    const by = await waitFor('where it was deleted', async () => {
      const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=trashed_by]'));
      return e.length ? e[0].getText() : null;
    });
    assert.equal(by, 'deleted on laptop; restore it to keep it');
    await d.findElement(By.css('body')).sendKeys(Key.ESCAPE);
    await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);
    await js("[...document.querySelectorAll('nav.side button')].find((b) => b.textContent.trim() === 'Photos').click()");
  });
}

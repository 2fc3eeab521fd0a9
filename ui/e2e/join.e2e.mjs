// End to end: a second computer opens a library from a store. Another library (device A, the
// CLI) imports the sample photos and syncs them to `rclone serve s3`; the app (device B), on an
// empty library, uses "Open a library from a store…" with the MinIO/S3 form: every photo
// appears with a cloud, no original is downloaded, opening one fetches it, an album kept on
// this computer brings its originals, A's new photo, favourite and trash reach B's open
// timeline, and with the server stopped B says so and still shows its previews.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import { bin, cli, clickEnabled, launch, removeWorld, serveS3, shot as screenshot, waitFor, world } from './harness.mjs';

const w = world();
let app;
let d;
let s3;
let port;


const js = (src, ...args) => d.executeScript(src, ...args);
const desktop = join(w.root, 'desktop-library');
const desktopEnv = { ...process.env, HOME: join(w.root, 'desktop-home'), SHOEBOX_SECRETS_FILE: join(w.root, 'desktop-home', 'secrets.json'), SHOEBOX_DEVICE_NAME: 'desktop' };
const sb = (args) => execFileSync(bin('shoebox'), ['--library', desktop, ...args], { env: desktopEnv, encoding: 'utf8' });
const shot = (name) => screenshot(d, name);
let tripHash;

/** How the open timeline shows a photo (`none`, `plain` or `favourite`), scrolled to its month
 * the way the scrubber does (the grid only draws what is on screen). */
async function tileShows(asset) {
  return d.executeAsyncScript(`const [hash, month, done] = arguments;
    window.__shoebox.jumpTo(month).then(() => requestAnimationFrame(() => {
      const t = document.querySelector('[data-testid=tile][data-hash="' + hash + '"]');
      done(t ? (t.querySelector('.heart') ? 'favourite' : 'plain') : 'none');
    }), () => done('none'));`, asset.hash, asset.taken_at.slice(0, 7));
}

/** Device A's timeline after B's next sync: B syncs when its window regains focus. */
async function syncB(what, fn, ms = 60000) {
  try {
    return await waitFor(what, async () => {
      await js("window.dispatchEvent(new Event('focus'))");
      return fn();
    }, ms);
  } catch (e) {
    const seen = await js(`return [document.querySelector('[data-testid=sync-state]')?.textContent.trim(),
      document.querySelectorAll('[data-testid=tile]').length, !!document.querySelector('[data-testid=job]')].join(' | ')`);
    await shot('debug');
    throw new Error(`${e.message}; the app shows: ${seen}; its catalog lists ${JSON.parse(cli(w, ['ls', '--json'])).length}`);
  }
}

before(async () => {
  execFileSync(bin('shoebox-bench'), ['sample', w.fixtures]);
  ({ child: s3, port } = await serveS3(join(w.root, 's3'), 'photos', 'AKTEST,SKTEST'));
  mkdirSync(desktopEnv.HOME, { recursive: true });
  sb(['import', w.fixtures]);
  const first = JSON.parse(sb(['ls', '--json']))[0];
  sb(['album', 'add', 'Trip', first.hash]);
  tripHash = first.hash;
  sb(['target', 'add', 'nas', '--scheme', 's3', '--opt', `endpoint=http://127.0.0.1:${port}`, '--opt', 'bucket=photos',
    '--opt', 'region=us-east-1', '--secret', 'access_key_id=AKTEST', '--secret', 'secret_access_key=SKTEST']);
  sb(['target', 'remove', 'local']);
  sb(['sync']);
  app = await launch(w);
  d = app.driver;
  await waitFor('the UI', () => js("return document.body.dataset.ready === 'true'"));
});

after(async () => {
  await app?.stop();
  s3?.kill('SIGTERM');
  removeWorld(w);
});

test('a second computer opens a library from a store without downloading originals', async () => {
  const link = await waitFor('join link', () => d.findElement(By.css('[data-testid=join-store]')));
  await link.click();
  await waitFor('target form', () => d.findElements(By.css('[data-testid=join-hint]')).then((e) => e.length > 0));
  await d.findElement(By.css('[data-testid=target-kind] option[value=s3]')).click();
  const field = (k) => waitFor(`field ${k}`, () => d.findElement(By.css(`[data-testid=target-form] input[data-field=${k}]`)));
  await (await field('endpoint')).sendKeys(`http://127.0.0.1:${port}`);
  await (await field('bucket')).sendKeys('photos');
  await (await field('access_key_id')).sendKeys('AKTEST');
  // A wrong key first: Test says so, nothing is saved.
  await (await field('secret_access_key')).sendKeys('WRONG');
  await d.findElement(By.css('[data-testid=target-test]')).click();
  const refused = await waitFor('test refused', async () => {
    const t = await (await d.findElement(By.css('[data-testid=target-probe]'))).getText();
    return t && t !== 'Testing…' ? t : null;
  });
  assert.doesNotMatch(refused, /works/, refused);
  assert.doesNotMatch(cli(w, ['target', 'list']), /^home\s/m, 'nothing saved by a test');
  await (await field('secret_access_key')).clear();
  await (await field('secret_access_key')).sendKeys('SKTEST');
  await d.findElement(By.css('[data-testid=target-test]')).click();
  const probe = await waitFor('test passed', async () => {
    const t = await (await d.findElement(By.css('[data-testid=target-probe]'))).getText();
    return /works/.test(t) ? t : null;
  });
  assert.match(probe, /shared by 1 device: desktop/);
  await d.findElement(By.css('[data-testid=target-save]')).click();

  const expected = JSON.parse(sb(['ls', '--json'])).length;
  const tiles = await waitFor('the whole timeline', async () => {
    const n = await js("return document.querySelectorAll('[data-testid=tile]').length");
    const clouds = await js("return document.querySelectorAll('[data-testid=tile] [data-testid=cloud]').length");
    return n > 0 && n === clouds && !(await js("return !!document.querySelector('[data-testid=job]')")) ? n : null;
  }, 120000);
  assert.ok(tiles > 0);
  const listed = JSON.parse(cli(w, ['ls', '--json']));
  assert.equal(listed.length, expected, 'every photo of the other computer');
  assert.ok(listed.every((a) => a.local === false), 'no original downloaded');
  assert.equal(existsSync(join(w.library, 'originals')) ? readdirSync(join(w.library, 'originals')).length : 0, 0);
  // The thumbnails came along: every tile shows its picture.
  await waitFor('thumbnails shown', () => js(`const imgs = [...document.querySelectorAll('[data-testid=tile] img')];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);`));
  await new Promise((r) => setTimeout(r, 1500)); // let the webview paint them
  await shot('join');

  // Opening one: the preview at once, where it came from, and its original in the background;
  // it lands in the cache byte for byte as device A has it.
  const opened = await js(`const t = [...document.querySelectorAll('[data-testid=tile]')].find((t) => t.dataset.hash !== arguments[0]);
    t.click(); return t.dataset.hash;`, tripHash);
  await waitFor('where it came from', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=device]'));
    return e.length && (await e[0].getText()) === 'desktop';
  });
  await waitFor('the original, fetched on opening', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=original]'));
    return e.length && (await e[0].getText()) === 'on this computer';
  }, 60000);
  assert.equal(JSON.parse(cli(w, ['ls', '--json'])).find((a) => a.hash === opened).local, true);
  const shard = join(w.library, '.shoebox', 'cache', opened.slice(0, 2));
  const cached = readdirSync(shard).find((f) => f.startsWith(opened));
  assert.ok(cached, 'the original is in the cache');
  const atA = JSON.parse(sb(['ls', '--json'])).find((a) => a.hash === opened);
  assert.ok(readFileSync(join(shard, cached)).equals(readFileSync(join(desktop, atA.path))), 'the fetched original is the one device A has');

  await d.findElement(By.css('body')).sendKeys('\uE00C'); // Escape closes the viewer
  await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);

  // Keep the album on this computer: its original comes down and the album is marked.
  await (await waitFor('album', () => d.findElement(By.css('[data-testid=album][data-album=Trip]')))).click();
  const space = await waitFor('the space it needs', async () => (await d.findElement(By.css('[data-testid=album-space]'))).getText());
  assert.match(space, /^1 original\(s\) to bring here, [\d.]+ (B|KB|MB)$/);
  await clickEnabled(d, By.css('[data-testid=album-pin]'));
  await waitFor('kept', async () => (await (await d.findElement(By.css('[data-testid=album-pin]'))).getText()) === '✓ Kept on this computer', 60000);
  const kept = JSON.parse(cli(w, ['ls', '--json'])).find((a) => a.hash === tripHash);
  assert.equal(kept.local, true, 'the pinned album\'s original is here');
  assert.match(await (await d.findElement(By.css('[data-testid=album][data-album=Trip]'))).getText(), /⤓/);
  await new Promise((r) => setTimeout(r, 800));
  await shot('album-kept');
  const others = JSON.parse(cli(w, ['ls', '--json'])).filter((a) => a.hash !== tripHash && a.hash !== opened);
  assert.ok(others.every((a) => a.local === false), 'nothing else was fetched');

  // Free up space: originals fetched by opening them go; the kept album's stays.
  cli(w, ['fetch', others[0].hash]);
  await d.findElement(By.css('[data-testid=settings-button]')).click();
  await waitFor('cache info', async () => /^[23] original\(s\)/.test(await (await d.findElement(By.css('[data-testid=cache-info]'))).getText()));
  await d.findElement(By.css('[data-testid=cache-free]')).click();
  await waitFor('freed', async () => /^1 original\(s\)/.test(await (await d.findElement(By.css('[data-testid=cache-info]'))).getText()));
  const after = JSON.parse(cli(w, ['ls', '--json']));
  assert.equal(after.find((a) => a.hash === others[0].hash).local, false, 'freed');
  assert.equal(after.find((a) => a.hash === opened).local, false, 'freed');
  assert.equal(after.find((a) => a.hash === tripHash).local, true, 'the kept album stays');
  await js("document.querySelector('[data-testid=settings] .close').click()");
  await d.findElement(By.css('[data-testid=nav-all]')).click();

  // Device A adds a photo and favourites another: B's open timeline shows both after its next
  // sync, without a restart.
  const extra = join(w.root, 'phone', 'new.jpg');
  mkdirSync(join(w.root, 'phone'), { recursive: true });
  const sample = readdirSync(w.fixtures).find((f) => /\.jpe?g$/i.test(f));
  writeFileSync(extra, Buffer.concat([readFileSync(join(w.fixtures, sample)), Buffer.from('\nanother shot')]));
  sb(['import', extra]);
  const added = JSON.parse(sb(['ls', '--json'])).find((a) => !listed.some((b) => b.hash === a.hash));
  assert.ok(added, 'device A has a new photo');
  const fav = others[1] ?? others[0];
  sb(['favourite', fav.hash]);
  sb(['sync']);
  await syncB('A\'s new photo and favourite', async () => (await tileShows(added)) === 'plain' && (await tileShows(fav)) === 'favourite');
  assert.equal(JSON.parse(cli(w, ['ls', '--json'])).length, expected + 1);

  // A puts a photo in the trash: it is in B's trash, saying where it was deleted.
  sb(['trash', fav.hash]);
  sb(['sync']);
  await syncB('gone from B\'s timeline', async () => (await tileShows(fav)) === 'none');
  await d.findElement(By.css('[data-testid=nav-trash]')).click();
  await (await waitFor('in B\'s trash', () => d.findElement(By.css(`[data-testid=tile][data-hash='${fav.hash}']`)))).click();
  const by = await waitFor('deleted on', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=trashed_by]'));
    return e.length ? e[0].getText() : null;
  });
  assert.match(by, /^deleted on desktop/);
  await d.findElement(By.css('body')).sendKeys('\uE00C');
  await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);
  await d.findElement(By.css('[data-testid=nav-all]')).click();

  // The server stops (the NAS is off): the top bar says so at the next sync, and a photo whose
  // original is there still shows its preview, with the original said to be offline.
  s3.kill('SIGTERM');
  await new Promise((r) => s3.once('exit', r));
  const state = await syncB('offline in the top bar', async () => {
    const t = await js("return document.querySelector('[data-testid=sync-state]')?.textContent.trim() ?? ''");
    return t.startsWith('⚠ Sync:') ? t : null;
  });
  assert.match(state, /home/);
  const remote = new Set(JSON.parse(cli(w, ['ls', '--json'])).filter((a) => !a.local).map((a) => a.hash));
  const shown = await waitFor('a remote tile', () => js(`return [...document.querySelectorAll('[data-testid=tile]')]
    .map((t) => t.dataset.hash).find((h) => arguments[0].includes(h)) ?? null`, [...remote]));
  await js("document.querySelector(`[data-testid=tile][data-hash='${arguments[0]}']`).click()", shown);
  const offline = await waitFor('original offline', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] .error'));
    return e.length ? e[0].getText() : null;
  }, 60000);
  assert.match(offline, /^Original offline/);
  const img = await d.findElement(By.css('[data-testid=viewer-image]'));
  assert.match(await img.getAttribute('src'), /thumb/);
  assert.ok(await js('return arguments[0].complete && arguments[0].naturalWidth > 0', img), 'the preview is shown');
});

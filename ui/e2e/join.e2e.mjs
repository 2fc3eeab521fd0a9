// End to end: a second computer opens a library from a store. Another library (made with the
// CLI) imports the sample photos and syncs them to a folder; the app, on an empty library,
// uses "Open a library from a store…": every photo appears with a cloud, no original is
// downloaded, and opening one shows where its original is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import { bin, cli, launch, world } from './harness.mjs';

const w = world();
let app;
let d;

async function waitFor(what, fn, ms = 30000) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

const js = (src, ...args) => d.executeScript(src, ...args);
const store = join(w.root, 'nas-share');
const desktop = join(w.root, 'desktop-library');
let tripHash;

before(async () => {
  execFileSync(bin('shoebox-bench'), ['sample', w.fixtures]);
  const env = { ...process.env, HOME: join(w.root, 'desktop-home'), SHOEBOX_SECRETS_FILE: join(w.root, 'desktop-home', 'secrets.json'), SHOEBOX_DEVICE_NAME: 'desktop' };
  mkdirSync(env.HOME, { recursive: true });
  const sb = (args) => execFileSync(bin('shoebox'), ['--library', desktop, ...args], { env, encoding: 'utf8' });
  sb(['import', w.fixtures]);
  const first = JSON.parse(sb(['ls', '--json']))[0];
  sb(['album', 'add', 'Trip', first.hash]);
  tripHash = first.hash;
  sb(['target', 'add', 'nas', '--scheme', 'fs', '--opt', `root=${store}`]);
  sb(['target', 'remove', 'local']);
  sb(['sync']);
  app = await launch(w);
  d = app.driver;
  await waitFor('the UI', () => js("return document.body.dataset.ready === 'true'"));
});

after(async () => {
  await app?.stop();
});

test('a second computer opens a library from a store without downloading originals', async () => {
  const link = await waitFor('join link', () => d.findElement(By.css('[data-testid=join-store]')));
  await link.click();
  await waitFor('target form', () => d.findElements(By.css('[data-testid=join-hint]')).then((e) => e.length > 0));
  const root = await d.findElement(By.css('[data-testid=target-form] input[data-field=root]'));
  await root.sendKeys(store);
  await d.findElement(By.css('[data-testid=target-save]')).click();

  const expected = JSON.parse(execFileSync(bin('shoebox'), ['--library', desktop, 'ls', '--json'], { encoding: 'utf8' })).length;
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
  const dir = process.env.SHOEBOX_SCREENSHOTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'join.png'), await d.takeScreenshot(), 'base64');
  }

  // Opening one: the preview at once, where it came from, and its original in the background.
  const opened = await js("const t = document.querySelector('[data-testid=tile]'); t.click(); return t.dataset.hash");
  await waitFor('where it came from', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=device]'));
    return e.length && (await e[0].getText()) === 'desktop';
  });
  await waitFor('the original, fetched on opening', async () => {
    const e = await d.findElements(By.css('[data-testid=info-panel] [data-field=original]'));
    return e.length && (await e[0].getText()) === 'on this computer';
  }, 60000);
  assert.equal(JSON.parse(cli(w, ['ls', '--json'])).find((a) => a.hash === opened).local, true);

  await d.findElement(By.css('body')).sendKeys('\uE00C'); // Escape closes the viewer
  await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);

  // Keep the album on this computer: its original comes down and the album is marked.
  await (await waitFor('album', () => d.findElement(By.css('[data-testid=album][data-album=Trip]')))).click();
  await (await waitFor('pin button', () => d.findElement(By.css('[data-testid=album-pin]')))).click();
  await waitFor('kept', async () => (await (await d.findElement(By.css('[data-testid=album-pin]'))).getText()) === '✓ Kept on this computer', 60000);
  const kept = JSON.parse(cli(w, ['ls', '--json'])).find((a) => a.hash === tripHash);
  assert.equal(kept.local, true, 'the pinned album\'s original is here');
  assert.match(await (await d.findElement(By.css('[data-testid=album][data-album=Trip]'))).getText(), /⤓/);
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
  if (opened !== tripHash) assert.equal(after.find((a) => a.hash === opened).local, false, 'freed');
  assert.equal(after.find((a) => a.hash === tripHash).local, true, 'the kept album stays');
  await js("document.querySelector('[data-testid=settings] .close').click()");

  // The store goes away (the NAS is off): the top bar says so at the next sync, and a photo
  // whose original is there still shows its preview, with the original said to be offline.
  renameSync(store, `${store}-away`);
  await js("[...document.querySelectorAll('nav.side button')].find((b) => b.textContent.trim() === 'Photos').click()");
  await js("window.dispatchEvent(new Event('focus'))");
  const state = await waitFor('offline in the top bar', async () => {
    const t = await js("return document.querySelector('[data-testid=sync-state]')?.textContent.trim() ?? ''");
    return t.startsWith('⚠ Sync:') ? t : null;
  }, 60000);
  assert.match(state, /nas/);
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
  renameSync(`${store}-away`, store);
});

// End to end on the real app: empty library → drop a folder → timeline → viewer and info panel
// → favourite, album, trash → Backup → the store on disk holds the originals and a catalog
// snapshot that restores with the favourite and the album. Also: markup in a file name and a
// caption is shown as text and runs nothing.
//
// Screenshots go to $SHOEBOX_SCREENSHOTS (scripts/screenshots.sh sets it to docs/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key } from 'selenium-webdriver';
import { bin, cli, clickEnabled, launch, removeWorld, shot as screenshot, waitFor, world } from './harness.mjs';
import { storeSteps } from './app-stores.steps.mjs';
import { editingSteps } from './app-editing.steps.mjs';
import { peopleSteps } from './app-people.steps.mjs';

const w = world();
let app;
let d;


const shot = (name) => screenshot(d, name);

const js = (src, ...args) => d.executeScript(src, ...args);
const text = async (css) => (await d.findElement(By.css(css))).getText();

/** Every tile's hash, scrolling the virtual timeline from top to bottom. */
async function allTileHashes() {
  const seen = new Set();
  await waitFor('the timeline', () => js("return !!document.querySelector('[data-testid=timeline]')"));
  await js("document.querySelector('[data-testid=timeline]').scrollTop = 0");
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const hashes = await js("return [...document.querySelectorAll('[data-testid=tile]')].map(t => t.dataset.hash)");
    hashes.forEach((h) => seen.add(h));
    const moved = await js(`const s = document.querySelector('[data-testid=timeline]');
      const before = s.scrollTop; s.scrollTop += s.clientHeight * 0.8; return s.scrollTop !== before;`);
    if (!moved) {
      await new Promise((r) => setTimeout(r, 300));
      (await js("return [...document.querySelectorAll('[data-testid=tile]')].map(t => t.dataset.hash)")).forEach((h) => seen.add(h));
      break;
    }
  }
  await js("document.querySelector('[data-testid=timeline]').scrollTop = 0");
  return seen;
}

/** `fn` of the tile of a file name, found again and retried while the timeline redraws it (it
 * does when an import or a sync lands, and an element found just before is then stale). `fn`
 * returns something truthy; a click should be the last thing it does. */
async function onTile(name, fn, ms = 30000) {
  return waitFor(`the tile ${name}`, async () => fn(await tileNamed(name, ms)), ms, 200);
}

/** Opens the tile of a file name, through onTile. */
const clickTile = (name) => onTile(name, async (t) => { await t.click(); return true; });

/** The tile of a file name, scrolling the timeline from the top (months load as they come into view). */
async function tileNamed(name, ms = 30000) {
  const find = () => js(`const t = [...document.querySelectorAll('[data-testid=tile]')].find(t => t.title === arguments[0]);
    if (t) t.scrollIntoView({ block: 'center' }); return t ?? null;`, name);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A view that is still loading has no timeline yet: wait for it.
    await js("const s = document.querySelector('[data-testid=timeline]'); if (s) s.scrollTop = 0");
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (await find()) {
        await new Promise((r) => setTimeout(r, 200));
        // The virtual grid may have re-rendered the tile after the scroll.
        const t = await find();
        if (t) return t;
      }
      const moved = await js(`const s = document.querySelector('[data-testid=timeline]');
        if (!s) return false;
        const before = s.scrollTop; s.scrollTop += s.clientHeight * 0.8; return s.scrollTop !== before;`);
      if (!moved) break;
    }
  }
  throw new Error(`no tile named ${name}`);
}

before(async () => {
  execFileSync(bin('shoebox-bench'), ['sample', w.fixtures]);
  execFileSync(bin('shoebox-bench'), ['hostile-sample', w.hostile]);
  // A short quiet period for the watch-folder test (the library is still empty).
  cli(w, ['settings', 'set', 'watch_quiet_ms', '400']);
  app = await launch(w);
  d = app.driver;
  await waitFor('the UI', () => js("return document.body.dataset.ready === 'true'"));
});

after(async () => {
  await app?.stop();
  removeWorld(w);
});

test('first run shows what to do, the library and the default backup target', async () => {
  const empty = await waitFor('empty state', () => d.findElement(By.css('[data-testid=empty-state]')));
  assert.match(await empty.getText(), /Drop photos or folders here/);
  assert.equal(await text('[data-testid=empty-library]'), w.library);
  assert.equal(await text('[data-testid=empty-target]'), join(w.home, 'Shoebox Backup'));
  await shot('empty');
});

test('dropping a folder imports it and the timeline shows every photo', async () => {
  const fixtures = readdirSync(w.fixtures).length + readdirSync(w.hostile).length;
  const res = await d.executeAsyncScript(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'tauri://drag-drop',
      payload: { paths: arguments[0], position: { x: 400, y: 300 } } }).then(() => done('ok'), (e) => done(String(e)));`,
  [w.fixtures, w.hostile]);
  assert.equal(res, 'ok');
  const summary = await waitFor('import summary', async () => {
    const s = await d.findElements(By.css('[data-testid=import-counts]'));
    return s.length ? s[0].getText() : null;
  }, 120000);
  assert.match(summary, new RegExp(`^${fixtures} imported`));
  assert.match(summary, /0 already in the library · 0 could not be read/);

  // The CLI sees what the app did, and the grid shows exactly those assets.
  const listed = JSON.parse(cli(w, ['ls', '--json']));
  assert.equal(listed.length, fixtures);
  const shown = await allTileHashes();
  assert.deepEqual([...shown].sort(), listed.map((a) => a.hash).sort());
  // Newest first: the first month header is the newest month.
  const months = await js('return window.__shoebox.months()');
  assert.deepEqual(months, [...months].sort().reverse());
  await js("document.querySelector('[data-testid=import-summary] .close').click()");
  await new Promise((r) => setTimeout(r, 400));
  await shot('timeline');
});

test('Places: photos with a position are clusters on the map; a cluster opens its photos', async () => {
  const placed = JSON.parse(cli(w, ['ls', '--json'])).filter((a) => a.gps);
  assert.ok(placed.length >= 3, 'the sample has photos with GPS');
  await d.findElement(By.css('[data-testid=nav-places]')).click();
  const clusters = await waitFor('clusters', async () => {
    const c = await js("return [...document.querySelectorAll('[data-testid=cluster]')].map(b => ({ n: Number(b.dataset.count), bounds: b.dataset.bounds.split(',').map(Number) }))");
    return c.length ? c : null;
  });
  assert.equal(clusters.reduce((n, c) => n + c.n, 0), placed.length, 'every photo with a position, once');
  for (const c of clusters) {
    const [s, wst, n, e] = c.bounds;
    const inside = placed.filter((a) => a.gps.lat >= s && a.gps.lat <= n && a.gps.lon >= wst && a.gps.lon <= e);
    assert.equal(inside.length, c.n, `cluster ${c.bounds}`);
  }
  await shot('places');
  // The smallest cluster's photos, as a timeline: exactly the photos inside its cell.
  const target = clusters.reduce((a, b) => (b.n < a.n ? b : a));
  const button = await waitFor('the cluster', async () => {
    for (const b of await d.findElements(By.css('[data-testid=cluster]'))) {
      if ((await b.getAttribute('data-bounds')) === target.bounds.join(',')) return b;
    }
    return null;
  });
  await button.click();
  await waitFor('its photos', async () => (await text('header h1')) === 'Places' && (await d.findElements(By.css('[data-testid=area-bar]'))).length === 1);
  const [s, wst, n, e] = target.bounds;
  const want = placed.filter((a) => a.gps.lat >= s && a.gps.lat <= n && a.gps.lon >= wst && a.gps.lon <= e).map((a) => a.hash).sort();
  assert.deepEqual([...(await allTileHashes())].sort(), want);
  await d.findElement(By.css('[data-testid=back-to-map]')).click();
  await waitFor('the map again', async () => (await d.findElements(By.css('[data-testid=map]'))).length === 1);
  await d.findElement(By.css('[data-testid=nav-all]')).click();
});

test('the viewer shows the photo with its EXIF and moves with the keyboard', async () => {
  const tile = await tileNamed('IMG_0100.JPG');
  await tile.click();
  const panel = await waitFor('info panel', async () => {
    const p = await d.findElements(By.css('[data-testid=info-panel] [data-field=hash]'));
    return p.length ? p[0] : null;
  });
  assert.ok(panel);
  const field = (f) => text(`[data-testid=info-panel] [data-field=${f}]`);
  // What shoebox-bench sample wrote into IMG_0100.JPG (see tests/src/bin/bench.rs).
  assert.equal(await field('taken'), 'Sat 1 Jan 2022, 10:20 · UTC+1');
  assert.equal(await field('taken_source'), 'camera (EXIF)');
  assert.equal(await field('camera'), 'Shoebox Sample Cam');
  assert.equal(await field('lens'), 'Sample 35mm');
  assert.equal(await field('iso'), '100');
  assert.equal(await field('exposure'), '1/125 s · ƒ/2.8 · 35 mm');
  assert.equal(await field('dimensions'), '1600 × 1200');
  assert.equal(await field('name'), 'IMG_0100.JPG');
  assert.match(await field('place'), /^48\.\d+° N, 2\.\d+° E$/);
  // In words, from the offline gazetteer: the nearest town's point (the Eiffel Tower's
  // position is nearer Neuilly's than Paris's).
  assert.equal(await field('place_name'), 'Neuilly-sur-Seine, Ile-de-France, France');
  assert.match(await field('backup'), /local: not yet/);
  const img = await d.findElement(By.css('[data-testid=viewer-image]'));
  await waitFor('preview decoded', () => js('return arguments[0].complete && arguments[0].naturalWidth > 0', img));
  assert.equal(await js('return arguments[0].naturalWidth', img), 1440);
  await shot('viewer');

  // F favourites, → and ← move, Esc closes.
  const body = await d.findElement(By.css('body'));
  await body.sendKeys('f');
  await waitFor('favourite on', async () => (await d.findElement(By.css('[data-testid=viewer-favourite]')).getAttribute('aria-pressed')) === 'true');
  await body.sendKeys(Key.ARROW_RIGHT);
  await waitFor('next photo', async () => (await field('name')) !== 'IMG_0100.JPG');
  await body.sendKeys(Key.ARROW_LEFT);
  await waitFor('back', async () => (await field('name')) === 'IMG_0100.JPG');
  await body.sendKeys(Key.ESCAPE);
  await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);
  assert.equal(JSON.parse(cli(w, ['show', 'originals/2022/01/IMG_0100.JPG', '--json'])).favourite, true);
});

test('markup in a file name and a caption is shown as text and runs nothing', async () => {
  const name = '<img src=x onerror=window.__pwned=3>.jpg';
  const tile = await tileNamed(name);
  await tile.click();
  const caption = await waitFor('caption', async () => {
    const c = await d.findElements(By.css('[data-testid=info-panel] [data-field=description]'));
    return c.length ? c[0].getText() : null;
  });
  assert.equal(caption, '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
  assert.equal(await text('[data-testid=info-panel] [data-field=name]'), name);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await js('return window.__pwned ?? null'), null);
  assert.equal(await js("return document.querySelectorAll('img[src=x], script:not([type=module])').length"), 0);
  await d.findElement(By.css('body')).sendKeys(Key.ESCAPE);
});

test('select, make an album, trash and restore', async () => {
  const tile = await tileNamed('IMG_0101.JPG');
  const hash = await tile.getAttribute('data-hash');
  await d.actions().keyDown(Key.CONTROL).click(tile).keyUp(Key.CONTROL).perform();
  await waitFor('selection bar', () => d.findElements(By.css('[data-testid=selection-bar]')).then((e) => e.length > 0));
  await d.findElement(By.css('[data-testid=new-album]')).click();
  const input = await waitFor('album name', () => d.findElement(By.css('[data-testid=album-name]')));
  await input.sendKeys('Holiday <b>2022</b>', Key.ENTER);
  const album = await waitFor('album in sidebar', async () => {
    const a = await d.findElements(By.css('[data-testid=album]'));
    return a.length ? a[0] : null;
  });
  assert.match(await album.getText(), /^Holiday <b>2022<\/b>\s+1$/);

  // Trash the selected photo, find it in the trash, restore it.
  await js("document.querySelector('[data-testid=timeline]').focus()");
  await d.findElement(By.css('body')).sendKeys(Key.DELETE);
  await waitFor('gone from the timeline', async () => !(await allTileHashes()).has(hash), 30000);
  await d.findElement(By.css('[data-testid=nav-trash]')).click();
  const trashed = await waitFor('in the trash', async () => {
    const t = await d.findElements(By.css(`[data-testid=tile][data-hash="${hash}"]`));
    return t.length ? t[0] : null;
  });
  assert.equal(await js("return document.querySelectorAll('[data-testid=tile]').length"), 1);
  await trashed.click(); // opens the viewer; restore from there
  await waitFor('viewer', () => d.findElements(By.css('[data-testid=viewer]')).then((e) => e.length > 0));
  // The button says Restore once the viewer knows the photo is in the trash.
  await waitFor('restore button', () => js(`const b = [...document.querySelectorAll('[data-testid=viewer] .bar button')]
    .find(b => b.textContent.trim() === 'Restore'); if (b) b.click(); return !!b;`));
  await waitFor('trash empty', async () => (await d.findElements(By.css('[data-testid=tile]'))).length === 0);
  await js("document.querySelector('.side button').click()"); // back to Photos
  await waitFor('back in the timeline', async () => (await allTileHashes()).has(hash), 30000);
});

test('a watched folder imports new photos while the app runs', async () => {
  const phone = join(w.root, 'phone');
  mkdirSync(phone);
  // What Settings → "Watch a folder…" calls once the native picker returns.
  const res = await d.executeAsyncScript(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('watch_add', { path: arguments[0], poll: false }).then(() => done('ok'), (e) => done(String(e)));`, phone);
  assert.equal(res, 'ok');
  // A new photo arrives the way Syncthing writes: a temp name, then a rename.
  const bytes = Buffer.concat([readFileSync(join(w.fixtures, 'IMG_0105.JPG')), Buffer.from('trailing bytes make it a new photo')]);
  writeFileSync(join(phone, '.syncthing.PHONE_0001.JPG.tmp'), bytes);
  renameSync(join(phone, '.syncthing.PHONE_0001.JPG.tmp'), join(phone, 'PHONE_0001.JPG'));
  await waitFor('the CLI to list it', () => JSON.parse(cli(w, ['ls', '--json'])).some((a) => a.original_name === 'PHONE_0001.JPG'), 30000);
  await tileNamed('PHONE_0001.JPG');
  assert.match(await text('[data-testid=watching]'), /Watching 1 folder/);
  assert.equal(JSON.parse(cli(w, ['ls', '--json'])).filter((a) => a.original_name.includes('syncthing')).length, 0);
});

// The later steps, in their own files, on this same session.
const ctx = { w, shot, js, text, allTileHashes, tileNamed, onTile, clickTile, get d() { return d; }, get app() { return app; } };
storeSteps(ctx);
editingSteps(ctx);
peopleSteps(ctx);

// Benchmark (not a test): the app on synthetic catalogs of 1k and 100k assets.
//  - launch → first painted grid: from just before the WebDriver session starts the app to the
//    first frame with tiles (wall clock, same machine), and the part of it from the page's
//    navigation start (the rest is process, WebKit and WebDriver start-up);
//  - jump to a month: `jumpTo(month)` (what the scrubber calls) until that month's tiles are in
//    the DOM and a frame is painted; months spread over the middle of the timeline;
//  - joining a library of `--join` photos (default 50,000) through the UI from `rclone serve s3`
//    on loopback: from the click on "Save and sync" in the S3 form to the first painted grid,
//    to every thumbnail of the first screen shown, and to the end of the sync (every grid
//    thumbnail and preview here).
// Prints medians and the 100k/1k ratio. Usage: node e2e/perf.mjs [--rounds N] [--count N] [--join N]
// [--join-only]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import { bin, launch, serveS3, waitFor, world } from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = arg('--rounds', 3);
const joinOnly = process.argv.includes('--join-only');
const big = arg('--count', 100000);
const joinCount = arg('--join', 50000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(count) {
  const w = world();
  const cache = join(process.env.SHOEBOX_BENCH_CACHE ?? '/tmp', `shoebox-synthetic-${count}`);
  if (!existsSync(cache)) execFileSync(bin('shoebox-bench'), ['catalog', cache, '--count', String(count)], { stdio: 'inherit' });
  w.library = cache;
  const launches = [];
  const jumps = [];
  const pages = [];
  for (let r = 0; r < rounds; r++) {
    const app = await launch(w);
    const d = app.driver;
    let first;
    for (let i = 0; i < 400 && !first; i++) {
      first = await d.executeScript('return window.__shoebox_firstGrid ?? null');
      if (!first) await new Promise((ok) => setTimeout(ok, 25));
    }
    if (!first) throw new Error('the grid never painted');
    launches.push(first - app.started);
    pages.push(await d.executeScript('return window.__shoebox_firstGridPage'));
    const months = await d.executeScript('return window.__shoebox.months()');
    const picks = [0.5, 0.3, 0.7, 0.45, 0.55].map((f) => months[Math.floor(months.length * f)]);
    for (const m of picks) {
      const ms = await d.executeAsyncScript(`const done = arguments[arguments.length - 1];
        const t0 = performance.now();
        window.__shoebox.jumpTo(arguments[0]).then(() => requestAnimationFrame(() => {
          const ok = document.querySelector('[data-month="' + arguments[0] + '"]') && document.querySelectorAll('[data-testid=tile]').length > 0;
          done(ok ? performance.now() - t0 : -1);
        }));`, m);
      if (ms < 0) throw new Error(`jump to ${m} showed no tiles`);
      jumps.push(ms);
    }
    await app.stop();
  }
  return { count, launch: median(launches), page: median(pages), jump: median(jumps), launches, jumps };
}

async function measureJoin(count) {
  const work = join(process.env.SHOEBOX_BENCH_CACHE ?? '/tmp', 'shoebox-bench-join'); // shared with `bench.sh join`
  const root = execFileSync(bin('shoebox-bench'), ['join-store', work, '--count', String(count)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const devices = join(root, 'shoebox', 'devices');
  const deviceA = new Set(readdirSync(devices));
  const { child, port } = await serveS3(root, 'shoebox', 'AKBENCH,SKBENCHSECRET');
  const out = { grid: [], screen: [], all: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      const w = world();
      const app = await launch(w);
      const d = app.driver;
      await waitFor('the UI', () => d.executeScript("return document.body.dataset.ready === 'true'"), 30000);
      await (await waitFor('join link', () => d.findElement(By.css('[data-testid=join-store]')), 10000)).click();
      await (await waitFor('S3', () => d.findElement(By.css('[data-testid=target-kind] option[value=s3]')), 10000)).click();
      const type = async (k, v) => (await waitFor(k, () => d.findElement(By.css(`[data-testid=target-form] input[data-field=${k}]`)), 10000)).sendKeys(v);
      await type('endpoint', `http://127.0.0.1:${port}`);
      await type('bucket', 'shoebox');
      await type('access_key_id', 'AKBENCH');
      await type('secret_access_key', 'SKBENCHSECRET');
      // Timed in the page, from the click: the first frame with tiles, then the first frame
      // where every tile on screen shows its thumbnail.
      await d.executeScript(`const t0 = performance.now();
        const j = window.__join = {};
        const tick = () => {
          const now = performance.now();
          const tiles = [...document.querySelectorAll('[data-testid=tile]')];
          if (tiles.length && j.grid == null) j.grid = now - t0;
          const onScreen = tiles.filter((t) => { const b = t.getBoundingClientRect(); return b.bottom > 0 && b.top < innerHeight; });
          if (onScreen.length && onScreen.every((t) => { const i = t.querySelector('img'); return i && i.complete && i.naturalWidth > 0; })) j.screen = now - t0;
          else requestAnimationFrame(tick);
        };
        document.querySelector('[data-testid=target-save]').click();
        requestAnimationFrame(tick);
        j.t0 = t0;`);
      const screen = await waitFor('first screen of thumbnails', () => d.executeScript('return window.__join.screen ?? null'), 600000);
      const all = await waitFor('the end of the sync', () => d.executeScript(`return document.querySelector('[data-testid=job]') || !document.querySelector('[data-testid=tile]')
        ? null : performance.now() - window.__join.t0`), 1200000);
      // Not timed: the bottom of the timeline (a month of thousands comes a page at a time)
      // shows its photos once scrolled to.
      for (let i = 0; i < 400; i++) {
        const done = await d.executeScript(`const s = document.querySelector('[data-testid=timeline]');
          s.scrollTop = s.scrollHeight; s.dispatchEvent(new Event('scroll'));
          return !document.querySelector('.placeholder') && s.scrollTop + s.clientHeight >= s.scrollHeight - 2
            && document.querySelectorAll('[data-testid=tile]').length > 0;`);
        if (done) break;
        if (i === 399) throw new Error('the bottom of the timeline never showed its photos');
        await new Promise((ok) => setTimeout(ok, 100));
      }
      out.grid.push(await d.executeScript('return window.__join.grid'));
      out.screen.push(screen);
      out.all.push(all);
      await app.stop();
      // The next round joins as a new device again: this one's prefix goes.
      for (const dev of readdirSync(devices)) if (!deviceA.has(dev)) rmSync(join(devices, dev), { recursive: true, force: true });
      rmSync(w.root, { recursive: true, force: true });
    }
  } finally {
    child.kill('SIGTERM');
  }
  return out;
}

const joined = joinCount > 0 ? await measureJoin(joinCount) : null;
const small = joinOnly ? null : await measure(1000);
const large = joinOnly ? null : await measure(big);
for (const r of small && large ? [small, large] : []) {
  console.log(`${String(r.count).padStart(6)} assets: launch → first grid median ${r.launch.toFixed(0)} ms ` +
    `(${r.launches.map((x) => x.toFixed(0)).join(', ')}; of which page load → grid ${r.page.toFixed(0)} ms), jump to a month median ${r.jump.toFixed(1)} ms ` +
    `(${r.jumps.length} jumps, max ${Math.max(...r.jumps).toFixed(1)})`);
}
if (small && large) console.log(`ratio ${big}/1000: launch ${(large.launch / small.launch).toFixed(2)}×, jump ${(large.jump / small.jump).toFixed(2)}×`);
if (joined) {
  const f = (xs) => xs.map((x) => (x / 1000).toFixed(2)).join(', ');
  console.log(`join ${joinCount} photos through the UI from rclone serve s3: first painted grid median ${(median(joined.grid) / 1000).toFixed(2)} s (${f(joined.grid)}), ` +
    `first screen of thumbnails ${(median(joined.screen) / 1000).toFixed(2)} s (${f(joined.screen)}), whole sync ${(median(joined.all) / 1000).toFixed(1)} s (${f(joined.all)})`);
}

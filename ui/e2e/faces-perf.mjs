// Benchmark (not a test): does the app answer while it looks for faces? A library of `--count`
// copies of the face test photos (default 600), imported without faces, then the real app
// started on it: its background scan begins at once. For as long as the scan runs, and then as
// many times once it is done, the page times `--samples` round trips of a real command
// (`people`, through Tauri's IPC) and the longest gap between animation frames over two seconds.
// Prints medians, the 95th percentile, the ratio scan/idle, and the app's peak RSS (from /proc).
// Usage: node e2e/faces-perf.mjs [--count N] [--samples N]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import { cli, facePhotos, launch, removeWorld, waitFor, world } from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg('--count', 600);
const samples = arg('--samples', 40);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const p95 = (xs) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/** The app's resident memory now and at its peak (kB), from /proc. */
function rss() {
  const pid = execFileSync('pgrep', ['-n', '-x', 'shoebox-app'], { encoding: 'utf8' }).trim();
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

/** `samples` round trips of the `people` command, and the longest frame gap over 2 s (ms). */
async function probe(d) {
  const trips = await d.executeAsyncScript(`const [n, done] = arguments;
    const invoke = window.__TAURI_INTERNALS__.invoke;
    (async () => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await invoke('people', { all: true });
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 25));
      }
      done(out);
    })().catch((e) => done(String(e)));`, samples);
  if (!Array.isArray(trips)) throw new Error(`people: ${trips}`);
  const gap = await d.executeAsyncScript(`const done = arguments[arguments.length - 1];
    let last = performance.now(), worst = 0;
    const until = last + 2000;
    const tick = (t) => { worst = Math.max(worst, t - last); last = t; if (t < until) requestAnimationFrame(tick); else done(worst); };
    requestAnimationFrame(tick);`);
  return { trips, gap };
}

const w = world();
try {
  const photos = readdirSync(facePhotos).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  if (!photos.length) throw new Error(`no photos in ${facePhotos}: run scripts/fetch-models.sh --test-photos`);
  // Imported a thousand at a time, each batch's copies removed once imported, so that a large
  // --count needs disk for the library only.
  for (let start = 0; start < count; start += 1000) {
    const src = join(w.root, `src-${start}`);
    mkdirSync(src, { recursive: true });
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const from = photos[i % photos.length];
      const to = join(src, `P${String(i).padStart(5, '0')}${from.slice(from.lastIndexOf('.'))}`);
      copyFileSync(join(facePhotos, from), to);
      // A different file each time: image readers stop at the picture's end.
      writeFileSync(to, `copy ${i}`, { flag: 'a' });
    }
    cli(w, ['import', '--no-faces', src]);
    rmSync(src, { recursive: true, force: true });
  }
  console.log(`faces-perf: ${count} photos (copies of ${photos.length} test photos), imported without faces`);

  const app = await launch(w);
  const d = app.driver;
  try {
    await d.manage().setTimeouts({ script: 120000 });
    await waitFor('the app', async () => (await d.findElements(By.css('[data-testid=nav-people]'))).length === 1, 60000);
    await d.findElement(By.css('[data-testid=nav-people]')).click();
    const progress = async () => {
      const e = await d.findElements(By.css('[data-testid=faces-progress]'));
      return e.length ? e[0].getText() : null;
    };
    const t0 = Date.now();
    const first = await waitFor('the scan to start', progress, 60000, 50);
    // Probes one after another for as long as the scan runs; only those it outlasted count.
    const busy = { trips: [], gaps: [] };
    let during = first;
    let memBusy = 0;
    for (;;) {
      const p = await probe(d);
      const now = await progress();
      if (!now) break;
      during = now;
      busy.trips.push(...p.trips);
      busy.gaps.push(p.gap);
      memBusy = Math.max(memBusy, rss().now);
    }
    if (!busy.gaps.length) throw new Error('the scan ended before a probe did: use a larger --count');
    const scanS = (Date.now() - t0) / 1000;
    const idle = { trips: [], gaps: [] };
    for (let i = 0; i < busy.gaps.length; i++) {
      const p = await probe(d);
      idle.trips.push(...p.trips);
      idle.gaps.push(p.gap);
    }
    const mem = rss();
    const people = JSON.parse(cli(w, ['people', '--all', '--json']));
    const faces = people.reduce((n, p) => n + p.faces, 0);
    console.log(`  scan: done in about ${scanS.toFixed(0)} s, ${faces} faces, ${people.length} people; the last probe it outlasted saw "${during}"`);
    const line = (name, s) => `  ${name}: ${s.trips.length} people round trips, median ${median(s.trips).toFixed(1)} ms, p95 ${p95(s.trips).toFixed(1)} ms; longest frame gap in ${s.gaps.length} windows of 2 s: median ${median(s.gaps).toFixed(0)} ms, worst ${Math.max(...s.gaps).toFixed(0)} ms`;
    console.log(line('during the scan', busy));
    console.log(line('after it (idle)', idle));
    console.log(`  ratio scan/idle: round trip ${(median(busy.trips) / median(idle.trips)).toFixed(2)}, p95 ${(p95(busy.trips) / p95(idle.trips)).toFixed(2)}`);
    console.log(`  app RSS: at most ${(memBusy / 1024).toFixed(0)} MB seen during the scan; peak ${(mem.peak / 1024).toFixed(0)} MB`);
  } finally {
    await app.stop();
  }
} finally {
  removeWorld(w);
  if (existsSync(w.root)) console.log(`(left ${w.root})`);
}

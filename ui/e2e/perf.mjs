// Benchmark (not a test): the app on synthetic catalogs of 1k and 100k assets.
//  - launch → first painted grid: from just before the WebDriver session starts the app to the
//    first frame with tiles (wall clock, same machine), and the part of it from the page's
//    navigation start (the rest is process, WebKit and WebDriver start-up);
//  - jump to a month: `jumpTo(month)` (what the scrubber calls) until that month's tiles are in
//    the DOM and a frame is painted; months spread over the middle of the timeline.
// Prints medians and the 100k/1k ratio. Usage: node e2e/perf.mjs [--rounds N] [--count N]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bin, launch, world } from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = arg('--rounds', 3);
const big = arg('--count', 100000);
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

const small = await measure(1000);
const large = await measure(big);
for (const r of [small, large]) {
  console.log(`${String(r.count).padStart(6)} assets: launch → first grid median ${r.launch.toFixed(0)} ms ` +
    `(${r.launches.map((x) => x.toFixed(0)).join(', ')}; of which page load → grid ${r.page.toFixed(0)} ms), jump to a month median ${r.jump.toFixed(1)} ms ` +
    `(${r.jumps.length} jumps, max ${Math.max(...r.jumps).toFixed(1)})`);
}
console.log(`ratio ${big}/1000: launch ${(large.launch / small.launch).toFixed(2)}×, jump ${(large.jump / small.jump).toFixed(2)}×`);

// How fast a shared album's gallery shows, in Debian's Chromium (headless, a phone-sized
// window): `node ui/e2e/share-perf.mjs LINK [ROUNDS]` opens LINK ROUNDS times (default 3) and
// prints the median time to the first screen of decoded thumbnails and to all of them.
// `shoebox-bench share` runs it on a 500-photo album served by nginx.
import { Builder } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';

const [link, roundsArg] = process.argv.slice(2);
if (!link) throw new Error('usage: node ui/e2e/share-perf.mjs LINK [ROUNDS]');
const rounds = Number(roundsArg ?? 3);
const o = new chrome.Options().setChromeBinaryPath('/usr/bin/chromium').addArguments(
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--window-size=390,844',
);
const d = await new Builder().forBrowser('chrome').setChromeOptions(o)
  .setChromeService(new chrome.ServiceBuilder('/usr/bin/chromedriver')).build();
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
try {
  const first = [];
  const all = [];
  let seen;
  for (let i = 0; i < rounds; i++) {
    await d.get('about:blank');
    await d.get(link);
    const until = Date.now() + 120000;
    for (;;) {
      seen = await d.executeScript('return window.shoeboxShare && shoeboxShare.ready ? { f: shoeboxShare.firstScreenMs, n: shoeboxShare.firstScreen, a: shoeboxShare.allMs, d: shoeboxShare.decoded, m: shoeboxShare.message } : (window.shoeboxShare && shoeboxShare.message ? { m: shoeboxShare.message } : null)');
      if (seen?.m) throw new Error(seen.m);
      if (seen) break;
      if (Date.now() > until) throw new Error('the gallery did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.push(seen.f);
    all.push(seen.a);
  }
  console.log(`  gallery in Chromium, ${seen.d} photos: first screen (${seen.n} thumbnails) decoded in median ${Math.round(median(first))} ms ${JSON.stringify(first.map(Math.round))}; all in ${Math.round(median(all))} ms ${JSON.stringify(all.map(Math.round))}`);
} finally {
  await d.quit();
}

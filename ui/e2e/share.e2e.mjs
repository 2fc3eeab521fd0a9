// A shared album (issue 26) in real browsers: `shoebox share create` publishes an album onto a
// folder store, nginx serves that folder on 127.0.0.1, and WebKit's MiniBrowser (through
// WebKitWebDriver, under Xvfb) and Debian's Chromium (through chromedriver) open the link. In
// each: the thumbnails decode, a preview opens and the keys move through it; a wrong key, a
// tampered object, an expired share and a revoked one each say so; nginx's access log never
// holds the key. Screenshots of the gallery at a phone's size go to $SHOEBOX_SCREENSHOTS.
// A signed share on `rclone serve s3` (no public address) opens through its SigV4 addresses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Builder, By, Key } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
import { bin, cli, freePort, removeWorld, serveS3, shot, start, waitFor, waitPort, world, xvfb } from './harness.mjs';

const w = world();
const store = join(w.root, 'store');
const procs = [];
let port;
let display;
const links = {};

const shareJson = (args, env = {}) => JSON.parse(execFileSync(bin('shoebox'), ['share', ...args, '--json'], {
  env: { ...process.env, HOME: w.home, SHOEBOX_LIBRARY: w.library, SHOEBOX_SECRETS_FILE: join(w.home, 'secrets.json'), ...env },
  encoding: 'utf8',
}));

before(async () => {
  execFileSync(bin('shoebox-bench'), ['sample', w.fixtures]);
  cli(w, ['import', w.fixtures]);
  const hashes = JSON.parse(cli(w, ['ls', '--json'])).filter((a) => a.kind === 'photo').map((a) => a.hash);
  cli(w, ['album', 'add', 'Summer', ...hashes]);
  cli(w, ['album', 'add', 'Old', hashes[0]]);
  cli(w, ['target', 'add', 'web', '--scheme', 'fs', '--opt', `root=${store}`]);
  port = await freePort();
  cli(w, ['target', 'set', 'web', '--public-url', `http://127.0.0.1:${port}/`]);
  links.good = shareJson(['create', 'Summer', '--target', 'web', '--expires', '30d']).share;
  // Made 40 days ago by the library's clock, for 30 days: expired now.
  links.expired = shareJson(['create', 'Old', '--target', 'web', '--expires', '30d'], { SHOEBOX_CLOCK_OFFSET_MS: String(-40 * 86400000) }).share;
  writeFileSync(join(w.root, 'pw'), 'open sesame\n');
  links.password = shareJson(['create', 'Old', '--target', 'web', '--password-file', join(w.root, 'pw')]).share;
  links.revoked = shareJson(['create', 'Old', '--target', 'web']).share;
  cli(w, ['share', 'revoke', links.revoked.id]);

  // S3 with no public address: links signed by the store's credentials, checked by the server.
  const s3 = await serveS3(join(w.root, 's3'), 'gallery', 'AKE2E,SKE2ESECRET');
  procs.push(s3.child);
  cli(w, ['target', 'add', 's3', '--scheme', 's3', '--opt', `endpoint=http://127.0.0.1:${s3.port}`, '--opt', 'bucket=gallery',
    '--secret', 'access_key_id=AKE2E', '--secret', 'secret_access_key=SKE2ESECRET']);
  links.signed = shareJson(['create', 'Summer', '--target', 's3', '--expires', '3d']).share;
  links.signedRevoked = shareJson(['create', 'Old', '--target', 's3']).share;
  cli(w, ['share', 'revoke', links.signedRevoked.id]);

  // nginx serving the store's folder, with an access log to check.
  const conf = join(w.root, 'nginx.conf');
  // As root (CI), the worker must be root too to read the temp folder (mode 0700).
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  writeFileSync(conf, `${user} daemon off; worker_processes 1; pid ${w.root}/nginx.pid; error_log ${w.root}/nginx-error.log;
events {} http { types { text/html html; application/octet-stream bin; } access_log ${w.root}/access.log;
  client_body_temp_path ${w.root}/nb; proxy_temp_path ${w.root}/np; fastcgi_temp_path ${w.root}/nf; uwsgi_temp_path ${w.root}/nu; scgi_temp_path ${w.root}/ns;
  server { listen 127.0.0.1:${port}; root ${store}; } }`);
  procs.push(start('nginx', ['-c', conf, '-e', `${w.root}/nginx-error.log`], { stdio: 'inherit' }));
  await waitPort(port, 10000);
  const x = await xvfb('1280x900x24');
  if (x.child) procs.push(x.child);
  display = x.display;
});

after(() => {
  for (const p of procs.reverse()) p.kill('SIGTERM');
  removeWorld(w);
});

async function webkit() {
  const p = await freePort();
  const env = { ...process.env, DISPLAY: display };
  const drv = start('/usr/bin/WebKitWebDriver', [`--port=${p}`], { env, stdio: 'ignore' });
  procs.push(drv);
  await waitPort(p, 15000);
  const d = await new Builder().usingServer(`http://127.0.0.1:${p}/`).withCapabilities({
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation'] },
  }).build();
  // A phone's window (MiniBrowser's own --geometry is not kept under automation).
  await d.manage().window().setRect({ width: 390, height: 844 });
  return d;
}

async function chromium() {
  const o = new chrome.Options().setChromeBinaryPath('/usr/bin/chromium').addArguments(
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--window-size=390,844',
  );
  return new Builder().forBrowser('chrome').setChromeOptions(o)
    .setChromeService(new chrome.ServiceBuilder('/usr/bin/chromedriver')).build();
}

const state = (d) => d.executeScript('return window.shoeboxShare ? { ready: !!shoeboxShare.ready, decoded: shoeboxShare.decoded, failed: shoeboxShare.failed, message: shoeboxShare.message || "", firstScreenMs: shoeboxShare.firstScreenMs, firstScreen: shoeboxShare.firstScreen, allMs: shoeboxShare.allMs } : null');

async function opens(d, link) {
  // Another page first: a link that differs only after `#` would not load the page again.
  await d.get('about:blank');
  await d.get(link);
  return waitFor(`${link.split('#')[1]?.slice(0, 36)} to settle`, async () => {
    const s = await state(d);
    return s && (s.ready || s.message) ? s : null;
  }, 30000);
}

for (const [engine, start] of [['WebKit', webkit], ['Chromium', chromium]]) {
  test(`${engine}: the gallery decodes, a preview opens, and every failure says what it is`, async () => {
    const d = await start();
    try {
      await d.manage().setTimeouts({ pageLoad: 30000, script: 30000 });
      const n = links.good.photos;
      let s = await opens(d, links.good.link);
      assert.equal(s.message, '', `it says: ${s.message}`);
      assert.equal(s.decoded, n);
      assert.equal(s.failed, 0);
      console.log(`${engine}: first screen (${s.firstScreen} thumbnails) decoded in ${Math.round(s.firstScreenMs)} ms, all ${n} in ${Math.round(s.allMs)} ms`);
      assert.equal(await d.executeScript("return document.querySelector('#title').textContent"), 'Summer');
      if (engine === 'WebKit') await shot(d, 'share-gallery-phone');
      await d.findElement(By.css('.tile')).click();
      await waitFor('the preview', () => d.executeScript("return document.querySelector('#big').dataset.ok === '1'"));
      const nameShown = () => d.executeScript("return document.querySelector('#name').textContent");
      const first = await nameShown();
      assert.ok(first, 'the viewer names the photo');
      if (engine === 'WebKit') await shot(d, 'share-viewer-phone');
      await d.findElement(By.css('body')).sendKeys(Key.ARROW_RIGHT);
      await waitFor('the next preview', async () => {
        const now = await nameShown();
        const ok = await d.executeScript("return document.querySelector('#big').dataset.ok === '1'");
        return now !== first && ok ? now : null;
      });
      await d.findElement(By.css('body')).sendKeys(Key.ESCAPE);
      assert.equal(await d.executeScript("return document.querySelector('#viewer').classList.contains('open')"), false);

      // A wrong key.
      const wrong = links.good.link.replace(/&k=./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A'));
      s = await opens(d, wrong);
      assert.match(s.message, /does not open this album/);
      // No key at all.
      s = await opens(d, links.good.link.split('#')[0]);
      assert.match(s.message, /missing its key/);
      // Expired, revoked.
      s = await opens(d, links.expired.link);
      assert.match(s.message, /expired on/);
      s = await opens(d, links.revoked.link);
      assert.match(s.message, /no longer shared/);
    } finally {
      await d.quit().catch(() => {});
    }
  });
}

for (const [engine, start] of [['WebKit', webkit], ['Chromium', chromium]]) {
  test(`${engine}: a signed share on S3 opens through its signed addresses`, async () => {
    assert.match(links.signed.link, /\/gallery\/shares\/index\.html\?X-Amz-.*X-Amz-Expires=259200.*#s=[0-9a-f]{32}&k=.*&m=[0-9a-f]{64}$/);
    const d = await start();
    try {
      await d.manage().setTimeouts({ pageLoad: 30000, script: 30000 });
      let s = await opens(d, links.signed.link);
      assert.equal(s.message, '', `it says: ${s.message}`);
      assert.equal(s.decoded, links.signed.photos);
      assert.equal(s.failed, 0);
      await d.findElement(By.css('.tile')).click();
      await waitFor('the preview', () => d.executeScript("return document.querySelector('#big').dataset.ok === '1'"));
      // The manifest's signature changed: the store refuses it, and the page says so.
      const forged = links.signed.link.replace(/&m=(.)/, (m, c) => `&m=${c === '0' ? '1' : '0'}`);
      s = await opens(d, forged);
      assert.match(s.message, /no longer shared|link is wrong/);
      s = await opens(d, links.signedRevoked.link);
      assert.match(s.message, /no longer shared/);
    } finally {
      await d.quit().catch(() => {});
    }
  });
}

test('a tampered thumbnail is named as changed, the rest still shows', async () => {
  const dir = join(store, 'shares', links.good.id, 't');
  const victim = join(dir, readdirSync(dir)[0]);
  const bytes = readFileSync(victim);
  bytes[bytes.length - 5] ^= 0x40;
  writeFileSync(victim, bytes);
  const d = await chromium();
  try {
    const s = await opens(d, links.good.link);
    assert.equal(s.failed, 1);
    assert.equal(s.decoded, links.good.photos - 1);
    const bad = await d.findElement(By.css('.tile.bad')).getText();
    assert.match(bad, /changed on the server/);
  } finally {
    await d.quit().catch(() => {});
  }
});

test('a share with a password asks for it, refuses a wrong one and opens with the right one', async () => {
  assert.ok(!links.password.link.includes('k='), links.password.link);
  const d = await chromium();
  try {
    await d.get(links.password.link);
    await waitFor('the password form', () => d.executeScript("return !document.querySelector('#unlock').hidden"));
    const typeAndOpen = async (pw) => {
      const box = await d.findElement(By.id('password'));
      await box.clear();
      await box.sendKeys(pw, Key.ENTER);
    };
    await typeAndOpen('open says me');
    await waitFor('the refusal', async () => /Wrong password/.test((await state(d))?.message ?? ''), 60000);
    await typeAndOpen('open sesame');
    const s = await waitFor('the gallery', async () => { const st = await state(d); return st?.ready ? st : null; }, 60000);
    assert.equal(s.decoded, 1);
    assert.equal(s.failed, 0);
  } finally {
    await d.quit().catch(() => {});
  }
});

test("the server's access log never holds the key", () => {
  const log = readFileSync(join(w.root, 'access.log'), 'utf8');
  assert.ok(log.includes(`/shares/${links.good.id}/manifest.bin`), 'the pages were served by this nginx');
  assert.ok(log.includes('/shares/index.html'), 'the viewer was served by this nginx');
  for (const l of Object.values(links)) {
    const key = l.link.split('&k=')[1];
    if (key) assert.ok(!log.includes(key), 'the key reached the server');
  }
  assert.ok(!log.includes('sesame'), 'the password reached the server');
  assert.ok(existsSync(join(store, 'shares', 'index.html')));
});

// Starts the real app under Xvfb through tauri-driver + WebKitWebDriver, on a temp library and a
// temp home (so the default backup target is a temp folder), and hands out a selenium driver.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { Builder } from 'selenium-webdriver';

const repo = resolve(import.meta.dirname, '..', '..');

// Every helper process a test starts (Xvfb, drivers, servers). Killed when the test file ends
// however it ends: a live child keeps node, and the CI step that waits on it, running for ever.
const children = new Set();
/** `spawn`, remembered so that it is killed when this process exits. */
export function start(cmd, args, opts) {
  const c = spawn(cmd, args, opts);
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}
function killChildren() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone already */ }
  }
}
process.on('exit', killChildren);
// A signal ends node without 'exit': stop the children first (a bench stopped by hand, say).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { killChildren(); process.exit(128 + constants.signals[sig]); });
}
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repo, 'target');
export const bin = (name) => join(targetDir, process.env.SHOEBOX_PROFILE ?? 'debug', name);

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/** Waits until something listens on `port`; throws after `ms`. */
export async function waitPort(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port} after ${ms} ms`);
}

/** `rclone serve s3` on 127.0.0.1 (rclone from PyPI, as the Rust store tests use): each folder
 * of `root` is a bucket (`bucket` is made). Resolves to { child, port }. */
export async function serveS3(root, bucket, auth) {
  const port = await freePort();
  mkdirSync(join(root, bucket), { recursive: true });
  const child = start('rclone', ['serve', 's3', '--dir-cache-time', '500ms', '--addr', `127.0.0.1:${port}`, '--auth-key', auth, root], { stdio: 'ignore' });
  await waitPort(port, 15000);
  return { child, port };
}

/** Polls `fn` until it returns something truthy (which it returns); throws after `ms` with
 * the last value or error. */
export async function waitFor(what, fn, ms = 30000, every = 100) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/**
 * Clicks the element `locator` finds once it is enabled: buttons that start a job are
 * disabled while one runs, and the app starts syncs and backups on its own.
 */
export async function clickEnabled(driver, locator, ms = 120000) {
  // Found again on each try: a list the app draws again leaves an element found before stale.
  await waitFor(`${locator} enabled`, async () => {
    const e = await driver.findElement(locator);
    if (!(await e.isEnabled())) return null;
    await e.click();
    return true;
  }, ms);
}

/** Saves a screenshot to $SHOEBOX_SCREENSHOTS/<name>.png when that is set. */
export async function shot(driver, name) {
  const dir = process.env.SHOEBOX_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.png`), await driver.takeScreenshot(), 'base64');
}

/** A fresh world: temp home, library and fixture folders. */
export function world() {
  const root = mkdtempSync(join(tmpdir(), 'shoebox-e2e-'));
  const w = {
    root,
    home: join(root, 'home'),
    library: join(root, 'library'),
    fixtures: join(root, 'fixtures'),
    hostile: join(root, 'hostile'),
  };
  mkdirSync(w.home, { recursive: true });
  return w;
}

/** Removes a world when the suite is done (41 MB each), unless SHOEBOX_E2E_KEEP asks to look. */
export function removeWorld(w) {
  if (process.env.SHOEBOX_E2E_KEEP) {
    console.error(`kept ${w.root}`);
    return;
  }
  rmSync(w.root, { recursive: true, force: true });
}

/** Runs the CLI against the world's library; returns stdout. */
export function cli(w, args) {
  return execFileSync(bin('shoebox'), args, { env: envFor(w), encoding: 'utf8' });
}

/** The face models and test photos scripts/fetch-models.sh fetched, under the real home
 *  (each world has its own HOME). */
const realData = process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '', '.local/share');
export const faceModels = process.env.SHOEBOX_TEST_MODELS ?? join(realData, 'shoebox/models');
export const facePhotos = process.env.SHOEBOX_TEST_PHOTOS ?? join(process.env.HOME ?? '', '.cache/shoebox/face-photos');

function envFor(w) {
  return {
    ...process.env,
    SHOEBOX_MODELS: faceModels,
    HOME: w.home,
    SHOEBOX_LIBRARY: w.library,
    SHOEBOX_SECRETS_FILE: join(w.home, 'secrets.json'),
    XDG_CONFIG_HOME: join(w.home, '.config'),
    XDG_DATA_HOME: join(w.home, '.local/share'),
    XDG_CACHE_HOME: join(w.home, '.cache'),
  };
}

/** A display: $DISPLAY, or a new Xvfb whose socket is waited for. Resolves to { display, child }. */
export async function xvfb(size = '1280x800x24') {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, child: null };
  for (let tries = 0; tries < 5; tries++) {
    const n = 100 + Math.floor(Math.random() * 800);
    if (existsSync(`/tmp/.X${n}-lock`)) continue; // another X server's
    const child = start('Xvfb', [`:${n}`, '-screen', '0', size, '-nolisten', 'tcp'], { stdio: 'ignore' });
    const until = Date.now() + 15000;
    while (Date.now() < until && child.exitCode === null && !existsSync(`/tmp/.X11-unix/X${n}`)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (existsSync(`/tmp/.X11-unix/X${n}`) && child.exitCode === null) return { display: `:${n}`, child };
    child.kill('SIGKILL');
  }
  throw new Error('Xvfb did not start: five tries gave no socket under /tmp/.X11-unix within 15 s');
}

/** Starts Xvfb (when there is no display), tauri-driver and a session on the app. Whatever it
 * started is stopped again if it fails. SHOEBOX_NATIVE_DRIVER replaces WebKitWebDriver (e.g. a
 * wrapper that starts it late, to check the wait below). */
export async function launch(w) {
  const procs = [];
  const stopAll = () => { for (const p of procs.reverse()) p.kill('SIGTERM'); };
  const env = envFor(w);
  let driver;
  let started;
  try {
    const x = await xvfb();
    if (x.child) procs.push(x.child);
    env.DISPLAY = x.display;
    const port = await freePort();
    const nativePort = await freePort();
    const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME ?? '', '.cargo/bin/tauri-driver');
    const td = start(existsSync(driverBin) ? driverBin : 'tauri-driver', [
      '--port', String(port), '--native-port', String(nativePort), '--native-driver', process.env.SHOEBOX_NATIVE_DRIVER ?? '/usr/bin/WebKitWebDriver',
    ], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    procs.push(td);
    // tauri-driver listens before the WebKitWebDriver it starts does; a session asked for in
    // between is refused (tauri-driver prints the error and drops the connection).
    await waitPort(port, 15000);
    await waitPort(nativePort, 30000);
    started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        driver = await new Builder()
          .usingServer(`http://127.0.0.1:${port}/`)
          .withCapabilities({ browserName: 'wry', 'tauri:options': { application: bin('shoebox-app') } })
          .build();
        break;
      } catch (e) {
        if (attempt >= 3 || td.exitCode !== null) throw e;
        console.error(`# session attempt ${attempt} failed (${e.message}); trying again`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  } catch (e) {
    stopAll();
    throw e;
  }
  return {
    driver,
    started,
    async stop() {
      try { await driver.quit(); } catch { /* the app may be gone already */ }
      stopAll();
    },
  };
}

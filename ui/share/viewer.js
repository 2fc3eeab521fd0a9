// The viewer of a shared album: everything here but this page is encrypted with the key in the
// link's fragment (#k=…), which the browser never sends to the server. Objects are in rclone's
// crypt format: "RCLONE\0\0", a 24-byte nonce, then 64 KiB chunks sealed with
// XSalsa20-Poly1305 (tweetnacl's secretbox) under the nonce plus the chunk's index.
//
// A signed share (on S3 with no public address) is read through SigV4 signed addresses: the
// page's own, whose query `manifest.bin` and `lock.json` share but for the signature (`m` and
// `l` in the fragment), and each object's, from the manifest (`qs`, a signature each).
(() => {
  'use strict';
  const MAGIC = [82, 67, 76, 79, 78, 69, 0, 0];
  const CHUNK = 65536;
  const TAG = 16;
  const $ = (s) => document.querySelector(s);
  const state = { items: [], key: null, open: -1, urls: new Map(), decoded: 0, failed: 0 };
  // For tests and curious people: what the page did.
  window.shoeboxShare = state;

  class Tampered extends Error {}

  function b64urlDecode(s) {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function noncePlus(base, index) {
    const n = base.slice();
    let carry = index;
    for (let j = 0; j < 24 && carry > 0; j++) {
      const sum = n[j] + (carry % 256);
      n[j] = sum & 0xff;
      carry = Math.floor(carry / 256) + (sum >> 8);
    }
    return n;
  }

  function open(bytes, key, plainSize) {
    if (bytes.length < 32 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Tampered('not an encrypted object');
    const nonce = bytes.slice(8, 32);
    const chunks = [];
    let total = 0;
    for (let at = 32, i = 0; at < bytes.length; at += CHUNK + TAG, i++) {
      const sealed = bytes.subarray(at, Math.min(at + CHUNK + TAG, bytes.length));
      const plain = nacl.secretbox.open(sealed, noncePlus(nonce, i), key);
      if (!plain) throw new Tampered('a chunk does not open');
      chunks.push(plain);
      total += plain.length;
    }
    if (plainSize !== undefined && total !== plainSize) throw new Tampered('cut short');
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) { out.set(c, off); off += c.length; }
    return out;
  }

  // Where object `name` of the share is read: beside the page, signed when the share is.
  function address(name, sig) {
    if (!sig) return state.dir + name;
    return state.dir + name + location.search.replace(/([?&]X-Amz-Signature=)[0-9a-f]*/, `$1${sig}`);
  }

  function objAddress(obj) {
    if (obj.s === undefined) return state.dir + obj.k;
    return `${state.dir}${obj.k}?${state.qs[obj.g]}&X-Amz-Signature=${obj.s}`;
  }

  async function fetchBytes(name) {
    const r = await fetch(name, { cache: 'no-store' });
    if (!r.ok) { const e = new Error(`HTTP ${r.status}`); e.status = r.status; throw e; }
    return new Uint8Array(await r.arrayBuffer());
  }

  function say(text, error) {
    const s = $('#status');
    s.textContent = text;
    s.className = error ? 'error' : '';
    s.hidden = false;
    state.message = text;
    state.error = !!error;
  }

  async function blobUrl(obj, type) {
    if (state.urls.has(obj.k)) return state.urls.get(obj.k);
    const plain = open(await fetchBytes(objAddress(obj)), state.key, obj.n);
    const url = URL.createObjectURL(new Blob([plain], { type }));
    state.urls.set(obj.k, url);
    return url;
  }

  // Justified rows: each row as tall as makes it fill the width, about `target` pixels.
  function layout() {
    const grid = $('#grid');
    const width = grid.clientWidth;
    const target = width < 600 ? 110 : 180;
    const gap = 4;
    let y = 0;
    let row = [];
    const place = (rowItems, h) => {
      let x = 0;
      for (const it of rowItems) {
        const w = (it.w / it.h) * h;
        Object.assign(it.el.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
        x += w + gap;
      }
      y += h + gap;
    };
    for (const it of state.items) {
      row.push(it);
      const ratio = row.reduce((s, r) => s + r.w / r.h, 0);
      const h = (width - gap * (row.length - 1)) / ratio;
      if (h <= target) { place(row, h); row = []; }
    }
    if (row.length) place(row, target);
    grid.style.height = `${y}px`;
  }

  async function loadThumbs() {
    // First screen first: in order, a few at a time. The first screen is the tiles that start
    // within the window's height.
    const firstScreen = state.items.filter((it) => parseFloat(it.el.style.top) < innerHeight).length;
    const firstDone = () => {
      if (state.firstScreenMs === undefined && state.decoded + state.failed >= firstScreen) {
        state.firstScreenMs = performance.now() - state.started;
        state.firstScreen = firstScreen;
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < state.items.length) {
        const it = state.items[next++];
        try {
          const img = document.createElement('img');
          img.alt = it.name || '';
          img.src = await blobUrl(it.t, 'image/jpeg');
          await img.decode().catch(() => {});
          it.el.appendChild(img);
          if (it.video) { const b = document.createElement('span'); b.className = 'badge'; b.textContent = '▶ video'; it.el.appendChild(b); }
          it.el.dataset.ok = '1';
          state.decoded++;
        } catch (e) {
          state.failed++;
          it.el.classList.add('bad');
          it.el.textContent = e instanceof Tampered ? 'This photo was changed on the server; not shown' : 'Could not load this photo';
        }
        firstDone();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker(), worker(), worker()]);
    firstDone();
    state.allMs = performance.now() - state.started;
  }

  async function show(i) {
    if (i < 0 || i >= state.items.length) return;
    state.open = i;
    const it = state.items[i];
    $('#viewer').classList.add('open');
    $('#name').textContent = `${it.name || ''}${it.date ? ' · ' + it.date.replace('T', ' ') : ''}`;
    $('#note').textContent = it.video ? 'A video: its poster is shown (playing videos here comes later).' : '';
    $('#big').removeAttribute('src');
    $('#big').dataset.ok = '';
    try {
      $('#big').src = await blobUrl(it.p, 'image/jpeg');
      await $('#big').decode().catch(() => {});
      if (state.open === i) $('#big').dataset.ok = '1';
    } catch (e) {
      $('#note').textContent = e instanceof Tampered ? 'This photo was changed on the server; not shown.' : 'Could not load this photo.';
    }
  }

  function close() { state.open = -1; $('#viewer').classList.remove('open'); }

  async function save(it) {
    const obj = it.o || it.p;
    const url = await blobUrl(obj, it.o ? 'application/octet-stream' : 'image/jpeg');
    const a = document.createElement('a');
    a.href = url;
    a.download = it.o ? it.name : it.name.replace(/\.[^.]*$/, '') + '.jpg';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // A share with a password: its key is in lock.json, sealed under a key Argon2id derives from
  // the password. Resolves once the key is open (or false when the share is gone).
  async function unlock() {
    let lock;
    try {
      lock = JSON.parse(new TextDecoder().decode(await fetchBytes(address('lock.json', state.lockSig))));
    } catch (e) {
      if (e.status === 404 || e.status === 403 || e.status === 410) say('This album is no longer shared (the link was revoked), or the link is wrong.', true);
      else say(`The album could not be reached (${e.message}). Try again later.`, true);
      return false;
    }
    if (typeof hashwasm === 'undefined' || lock.kdf !== 'argon2id') { say('This page cannot open this album’s password.', true); return false; }
    say('This album asks for a password.');
    const form = $('#unlock');
    form.hidden = false;
    $('#password').focus();
    return new Promise((resolve) => {
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        say('Opening…');
        const kek = await hashwasm.argon2id({
          password: $('#password').value, salt: b64urlDecode(lock.salt), parallelism: lock.p,
          iterations: lock.t, memorySize: lock.m, hashLength: 32, outputType: 'binary',
        });
        const key = nacl.secretbox.open(b64urlDecode(lock.wrapped), b64urlDecode(lock.nonce), kek);
        if (!key) { say('Wrong password. Try again.', true); $('#password').select(); return; }
        state.key = key;
        form.hidden = true;
        resolve(true);
      });
    });
  }

  async function main() {
    state.started = performance.now();
    if (typeof nacl === 'undefined') return say('This page is incomplete (its decryption code is missing).', true);
    const m = /(?:^#|&)k=([A-Za-z0-9_-]{43})(?:&|$)/.exec(location.hash);
    const s = /(?:^#|&)s=([0-9a-f]{32})(?:&|$)/.exec(location.hash);
    const p = /(?:^#|&)p=1(?:&|$)/.test(location.hash);
    const sm = /(?:^#|&)m=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
    const sl = /(?:^#|&)l=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
    state.manifestSig = sm?.[1];
    state.lockSig = sl?.[1];
    if (!s || (!m && !p)) return say('This link is missing its key, the part after “#”. Ask for the whole link.', true);
    state.dir = `${s[1]}/`;
    if (m) state.key = b64urlDecode(m[1]);
    else if (!(await unlock())) return;
    let manifest;
    try {
      manifest = JSON.parse(new TextDecoder().decode(open(await fetchBytes(address('manifest.bin', state.manifestSig)), state.key)));
    } catch (e) {
      if (e instanceof Tampered) return say('The key in this link does not open this album: the link is wrong or cut short, or the album’s files were changed on the server.', true);
      if (e.status === 404 || e.status === 403 || e.status === 410) return say('This album is no longer shared (the link was revoked), or the link is wrong.', true);
      return say(`The album could not be reached (${e.message}). Try again later.`, true);
    }
    if (manifest.expires && Date.parse(manifest.expires) < Date.now()) {
      return say(`This share expired on ${new Date(manifest.expires).toLocaleDateString()}.`, true);
    }
    state.qs = manifest.qs || [];
    document.title = manifest.title;
    $('#title').textContent = manifest.title;
    $('#count').textContent = `${manifest.items.length} photo${manifest.items.length === 1 ? '' : 's'}`;
    if (manifest.expires) $('#expiry').textContent = `until ${new Date(manifest.expires).toLocaleDateString()}`;
    $('#status').hidden = true;
    state.message = '';
    const grid = $('#grid');
    state.items = manifest.items.map((it, i) => {
      const el = document.createElement('button');
      el.className = 'tile';
      el.setAttribute('aria-label', it.name || `Photo ${i + 1}`);
      el.addEventListener('click', () => show(i));
      grid.appendChild(el);
      return { ...it, el };
    });
    layout();
    addEventListener('resize', layout);
    const all = $('#save-all');
    all.hidden = state.items.length === 0;
    all.addEventListener('click', async () => {
      all.disabled = true;
      for (const it of state.items) { await save(it).catch(() => {}); await new Promise((r) => setTimeout(r, 400)); }
      all.disabled = false;
    });
    $('#close').addEventListener('click', close);
    $('#prev').addEventListener('click', () => show(state.open - 1));
    $('#next').addEventListener('click', () => show(state.open + 1));
    $('#save').addEventListener('click', () => save(state.items[state.open]));
    addEventListener('keydown', (e) => {
      if (state.open < 0) return;
      if (e.key === 'Escape') close();
      else if (e.key === 'ArrowRight') show(state.open + 1);
      else if (e.key === 'ArrowLeft') show(state.open - 1);
    });
    let x0 = null;
    $('#viewer').addEventListener('touchstart', (e) => { x0 = e.touches[0].clientX; }, { passive: true });
    $('#viewer').addEventListener('touchend', (e) => {
      if (x0 === null) return;
      const dx = e.changedTouches[0].clientX - x0;
      x0 = null;
      if (Math.abs(dx) > 50) show(state.open + (dx < 0 ? 1 : -1));
    });
    await loadThumbs();
    state.ready = true;
  }

  main().catch((e) => say(`Something went wrong: ${e.message}`, true));
})();

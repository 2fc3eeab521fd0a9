// Builds the share viewer (ui/share) into one self-contained page, ui/dist/share/index.html:
// tweetnacl and hash-wasm's Argon2id (npm, pinned in package-lock.json) and the viewer's script inlined, so a shared
// album opens with no CDN and nothing else fetched but its own encrypted files. The engine
// embeds this page at build time (crates/engine/build.rs).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const nacl = readFileSync(join(ui, 'node_modules/tweetnacl/nacl-fast.min.js'), 'utf8');
const argon2 = readFileSync(join(ui, 'node_modules/hash-wasm/dist/argon2.umd.min.js'), 'utf8');
const viewer = readFileSync(join(ui, 'share/viewer.js'), 'utf8');
const page = readFileSync(join(ui, 'share/index.html'), 'utf8');
// A literal `</script` inside a script would end it early.
const safe = (s) => s.replace(/<\/script/gi, '<\\/script');
const out = page
  .replace('/*NACL*/', () => safe(nacl))
  .replace('/*ARGON2*/', () => safe(argon2))
  .replace('/*VIEWER*/', () => safe(viewer));
if (['/*NACL*/', '/*ARGON2*/', '/*VIEWER*/'].some((p) => out.includes(p))) throw new Error('a placeholder was left');
mkdirSync(join(ui, 'dist/share'), { recursive: true });
writeFileSync(join(ui, 'dist/share/index.html'), out);
console.log(`ui/dist/share/index.html: ${out.length} bytes`);

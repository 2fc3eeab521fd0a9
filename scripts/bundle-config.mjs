// Prints the root tauri.conf.json as the tauri CLI wants it in src-tauri/: every path relative
// to src-tauri, and the `shoebox` command (built in the target folder given) packed into the
// .deb at /usr/bin/shoebox. Used by scripts/bundle.sh only; plain cargo builds read the root
// file as it is.
import { readFileSync } from 'node:fs';

const target = process.argv[2];
if (!target) throw new Error('usage: node scripts/bundle-config.mjs TARGET_DIR');
const c = JSON.parse(readFileSync(new URL('../tauri.conf.json', import.meta.url)));
const up = (p) => `../${p}`;
c.build.frontendDist = up(c.build.frontendDist);
c.bundle.icon = c.bundle.icon.map(up);
c.bundle.licenseFile = up(c.bundle.licenseFile);
c.bundle.linux.deb.files = { '/usr/bin/shoebox': `${target}/release/shoebox` };
process.stdout.write(JSON.stringify(c, null, 2));

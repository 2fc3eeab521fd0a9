// Prints the root tauri.conf.json as the tauri CLI wants it in src-tauri/: every path relative
// to src-tauri, and the programs that go beside the app: the `shoebox` command and
// `shoebox-heif` (the HEIC decoder both run), built in the target folder given.
//   node scripts/bundle-config.mjs TARGET_DIR [TRIPLE]
// On Linux they are packed into the .deb at /usr/bin, and into the AppImage's usr/bin.
// Elsewhere (TRIPLE given, as the release workflow does) they go through the bundler's
// externalBin, which wants each program copied to src-tauri/binaries/NAME-TRIPLE and puts it
// beside the app's own executable (Contents/MacOS, the Windows install folder). Used by
// scripts/bundle.sh and the workflow only; plain cargo builds read the root file as it is.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';

const [target, triple] = process.argv.slice(2);
if (!target) throw new Error('usage: node scripts/bundle-config.mjs TARGET_DIR [TRIPLE]');
const c = JSON.parse(readFileSync(new URL('../tauri.conf.json', import.meta.url)));
const up = (p) => `../${p}`;
c.build.frontendDist = up(c.build.frontendDist);
c.bundle.icon = c.bundle.icon.map(up);
c.bundle.licenseFile = up(c.bundle.licenseFile);
const programs = ['shoebox', 'shoebox-heif'];
if (!triple || triple.includes('linux')) {
  // The same places in the .deb and in the AppImage (whose usr/bin holds the app too).
  const files = Object.fromEntries(
    programs.map((p) => [`/usr/bin/${p}`, `${target}/release/${p}`]),
  );
  c.bundle.linux.deb.files = files;
  c.bundle.linux.appimage = { ...c.bundle.linux.appimage, files };
} else {
  const exe = triple.includes('windows') ? '.exe' : '';
  const dir = new URL('../src-tauri/binaries/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  for (const p of programs) {
    copyFileSync(`${target}/release/${p}${exe}`, new URL(`${p}-${triple}${exe}`, dir));
  }
  c.bundle.externalBin = programs.map((p) => `binaries/${p}`);
}
process.stdout.write(JSON.stringify(c, null, 2));

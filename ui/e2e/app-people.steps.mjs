// People in the app (issue 27): the background face scan with its progress, the People page
// with a face for each person, naming, a person's photos, the viewer's face marks, hiding.
//
// Steps of app.e2e.mjs, registered after the others: they run in the same app session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key } from 'selenium-webdriver';
import { clickEnabled, cli, facePhotos, waitFor } from './harness.mjs';

export function peopleSteps(ctx) {
  const { w, shot, js, text, allTileHashes } = ctx;
  test('people: faces found in the background, named, their photos, marks in the viewer', async () => {
    const { d } = ctx;
    const dir = join(w.root, 'people');
    mkdirSync(dir, { recursive: true });
    // Public-domain and CC0 photos only here (the screenshots go into the README): Eileen
    // Collins (NASA), Lav Varshney with a camera, a coffee and a rocket with no one.
    for (const f of ['astronaut.png', 'camera.png', 'coffee.png', 'rocket.jpg']) {
      copyFileSync(join(facePhotos, f), join(dir, f));
    }
    // Imported without faces: the app's own background scan finds them.
    cli(w, ['import', '--no-faces', dir]);
    // Two more photos of her: JPEG copies at two sizes.
    const astronaut = JSON.parse(cli(w, ['ls', '--json'])).find((a) => a.original_name === 'astronaut.png').hash;
    for (const size of ['480', '400']) {
      const to = join(w.root, `people-${size}`);
      cli(w, ['export', astronaut, '--to', to, '--size', size]);
      cli(w, ['import', '--no-faces', to]);
    }
    await d.findElement(By.css('[data-testid=nav-people]')).click();
    await waitFor('the People page', async () => (await d.findElements(By.css('[data-testid=people-bar]'))).length === 1);
    await d.findElement(By.xpath("//button[normalize-space()='Look for faces']")).click();
    const want = await waitFor('the scan to group them', async () => {
      const p = JSON.parse(cli(w, ['people', '--json']));
      const shown = await d.findElements(By.css('[data-testid=person]'));
      return p.length >= 1 && shown.length === p.length && !(await d.findElements(By.css('[data-testid=faces-progress]'))).length ? p : null;
    }, 120000);
    // The three photos of Eileen Collins are one person, shown first (the most faces).
    const first = want[0];
    assert.equal(first.photos, 3, JSON.stringify(want));
    const cards = await d.findElements(By.css('[data-testid=person]'));
    assert.equal(await cards[0].getAttribute('data-person'), String(first.id));
    // Each card's face is a crop of the photo's preview.
    const bg = await js("return getComputedStyle(document.querySelector('[data-testid=person-face]')).backgroundImage");
    assert.match(bg, new RegExp(first.cover.hash));

    // Name them: the CLI sees the name, and search finds their photos by it.
    // Found by the person's id each time: the page draws its list again as the scan reports.
    const card = `[data-testid=person][data-person="${first.id}"]`;
    await waitFor('the name typed', async () => {
      await d.findElement(By.css(`${card} [data-testid=person-name]`)).sendKeys('Eileen Collins', Key.ENTER);
      return true;
    });
    await waitFor('the name in the catalog', () => JSON.parse(cli(w, ['people', '--json']))[0].name === 'Eileen Collins');
    await shot('people');

    // Their photos, as a timeline.
    await clickEnabled(d, By.css(`${card} [data-testid=person-face]`));
    await waitFor('their photos', async () => (await text('[data-testid=person-title]')).startsWith('Eileen Collins · 3 photos'));
    const photos = JSON.parse(cli(w, ['people', 'photos', String(first.id), '--json'])).map((a) => a.hash).sort();
    await waitFor('their tiles', async () => [...(await allTileHashes())].sort().join() === photos.join());

    // In the viewer, P marks the face with the name.
    await clickEnabled(d, By.css(`[data-testid=tile][data-hash="${photos[0]}"]`));
    await waitFor('the viewer', async () => (await d.findElements(By.css('[data-testid=viewer-people-toggle]'))).length === 1);
    await d.findElement(By.css('body')).sendKeys('p');
    await waitFor('the face marked', async () => {
      const marks = await d.findElements(By.css('[data-testid=viewer-face]'));
      return marks.length === 1 && /Eileen Collins/.test(await marks[0].getText());
    });
    // The mark sits on the picture: inside the drawn image.
    const inside = await js(`const m = document.querySelector('[data-testid=viewer-face]').getBoundingClientRect();
      const i = document.querySelector('[data-testid=viewer-image]').getBoundingClientRect();
      return m.width > 20 && m.left >= i.left - 1 && m.right <= i.right + 1 && m.top >= i.top - 1 && m.bottom <= i.bottom + 1`);
    assert.equal(inside, true, 'the face mark is on the picture');
    await shot('viewer-faces');
    // Turned a quarter clockwise, the mark turns with the picture: the face's centre at (x, y)
    // of the picture is then at (1 − y, x).
    const centre = `const m = document.querySelector('[data-testid=viewer-face]').getBoundingClientRect();
      const i = document.querySelector('[data-testid=viewer-image]').getBoundingClientRect();
      return [(m.left + m.width / 2 - i.left) / i.width, (m.top + m.height / 2 - i.top) / i.height]`;
    const [x0, y0] = await js(centre);
    await d.findElement(By.css('body')).sendKeys('r');
    await waitFor('the mark turned with the picture', async () => {
      if ((await js("return document.querySelector('[data-testid=viewer-image]').dataset.rotation")) !== '90') return false;
      const [x1, y1] = await js(centre);
      return Math.abs(x1 - (1 - y0)) < 0.03 && Math.abs(y1 - x0) < 0.03;
    });
    await d.findElement(By.css('body')).sendKeys(Key.SHIFT, 'r', Key.SHIFT);
    await waitFor('turned back', async () => (await js("return document.querySelector('[data-testid=viewer-image]').dataset.rotation")) === '0');
    await d.findElement(By.css('body')).sendKeys(Key.ESCAPE);
    await waitFor('viewer closed', async () => (await d.findElements(By.css('[data-testid=viewer]'))).length === 0);

    // Hide the man with the camera (a single face, shown with "hidden and single faces").
    await d.findElement(By.css('[data-testid=back-to-people]')).click();
    const all = JSON.parse(cli(w, ['people', '--all', '--json']));
    await d.findElement(By.css('[data-testid=people-all]')).click();
    await waitFor('every person', async () => (await d.findElements(By.css('[data-testid=person]'))).length === all.length);
    const single = all.find((p) => p.name === null && p.photos === 1);
    assert.ok(single, JSON.stringify(all));
    await clickEnabled(d, By.css(`[data-testid=person][data-person="${single.id}"] [data-testid=person-hide]`));
    await waitFor('hidden in the catalog', () => JSON.parse(cli(w, ['people', '--all', '--json'])).find((p) => p.id === single.id).hidden === true);
    await d.findElement(By.css('[data-testid=people-all]')).click();
    await waitFor('not listed', async () => (await d.findElements(By.css(`[data-testid=person][data-person="${single.id}"]`))).length === 0);
    await d.findElement(By.css('[data-testid=nav-all]')).click();
    await waitFor('back to Photos', async () => (await text('header h1')) === 'Photos');
  });
}

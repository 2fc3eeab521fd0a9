// The Places map: where it was left, and a cluster opened as a timeline.
import type { Camera } from '../../lib/map';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class PlacesStore {
  /** Where the Places map was left (null: the whole world). */
  camera = $state<Camera | null>(null);

  show() {
    shell.page = 'places';
    timeline.selection = new Set();
  }

  /** The photos of a cluster of the map, as a timeline. */
  async showArea(c: { south: number; west: number; north: number; east: number }) {
    await timeline.setView({ kind: 'area', south: c.south, west: c.west, north: c.north, east: c.east });
  }
}

export const places = new PlacesStore();

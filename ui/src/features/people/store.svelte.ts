// People: the People page's list, naming, merging, hiding, and the background face scan's
// progress (`faces` events from the Rust side).
import { api, type FacesEvent, type Person } from '../../lib/api';
import { shell } from '../../shell/store.svelte';
import { timeline } from '../timeline/store.svelte';

class PeopleStore {
  /** The people, while the People page is open (null: loading). */
  list = $state<Person[] | null>(null);
  /** Hidden people and single unnamed faces shown too. */
  all = $state(false);
  /** The background scan's last word. */
  scan = $state<FacesEvent | null>(null);
  /** People picked for a merge (the first picked is merged into the second). */
  picked = $state<number[]>([]);

  /** The person whose photos the timeline shows. */
  get current(): Person | undefined {
    const v = timeline.view;
    return v.kind === 'person' ? this.known.find((p) => p.id === v.person) : undefined;
  }
  /** Every person seen this session (for the title of a person's timeline). */
  known = $state<Person[]>([]);

  async show() {
    shell.page = 'people';
    timeline.selection = new Set();
    this.picked = [];
    await this.refresh();
  }

  async refresh() {
    try {
      const list = await api.people(this.all);
      this.list = list;
      const ids = new Set(list.map((p) => p.id));
      this.known = [...list, ...this.known.filter((p) => !ids.has(p.id))];
    } catch (e) {
      shell.fail(e);
      this.list = [];
    }
  }

  /** Looks for faces in what is new (after an import, a sync, a watch folder's photos). */
  async lookForFaces() {
    try {
      await api.facesScan();
    } catch (e) {
      shell.fail(e);
    }
  }

  onScan(e: FacesEvent) {
    this.scan = e;
    // Finished: the page shows who was found.
    if (!e.running && shell.page === 'people') this.refresh();
    if (e.error) shell.toast(e.error);
  }

  async open(p: Person) {
    this.known = [p, ...this.known.filter((k) => k.id !== p.id)];
    shell.page = 'timeline';
    await timeline.setView({ kind: 'person', person: p.id });
  }

  async name(p: Person, name: string) {
    if ((p.name ?? '') === name.trim()) return;
    try {
      const named = await api.personName(p.id, name);
      shell.toast(named.name ? `Named ${named.name}` : 'Name taken away');
      await this.refresh();
    } catch (e) {
      shell.fail(e);
    }
  }

  pick(p: Person) {
    this.picked = this.picked.includes(p.id) ? this.picked.filter((id) => id !== p.id) : [...this.picked, p.id].slice(-2);
  }

  /** Merges the first picked person into the second. */
  async merge() {
    const [from, into] = this.picked;
    if (from === undefined || into === undefined) return;
    try {
      const merged = await api.peopleMerge(from, into);
      shell.toast(`Merged into ${merged.name ?? 'one person'}: ${merged.faces} faces`);
      this.picked = [];
      await this.refresh();
    } catch (e) {
      shell.fail(e);
    }
  }

  async hide(p: Person, hidden: boolean) {
    try {
      await api.personHide(p.id, hidden);
      shell.toast(hidden ? `Hid ${p.name ?? 'this person'}` : `Showing ${p.name ?? 'this person'} again`);
      await this.refresh();
    } catch (e) {
      shell.fail(e);
    }
  }

  /** Takes a face out of its person (the viewer's "Not …"). */
  async removeFace(face: number) {
    try {
      await api.faceRemove(face);
      shell.toast('Face taken out of that person');
    } catch (e) {
      shell.fail(e);
    }
  }
}

export const people = new PeopleStore();

// The search box's state, apart from the store so it can be tested on its own.
import type { Search } from './bindings';

export const NO_SEARCH: Search = { query: '', media: null, favourites: false, min_rating: 0, has_place: false, camera: null };

/** Whether a search asks for anything (words or a filter). */
export function searching(s: Search): boolean {
  return !!(s.query.trim() || s.media || s.favourites || s.min_rating > 0 || s.has_place || s.camera?.trim());
}

// Typed wrappers over the Rust commands (src-tauri/src/commands.rs). The types come from
// bindings.ts, generated from the Rust types.
import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  Album, AssetInfo, Bucket, EmptyTrash, ImportSummary, JobEvent, LibraryInfo, LibrarySettings,
  MonthItems, SavedTarget, TargetBackup, TargetForm, TargetTest, TargetVerify, View, ScheduledJob, ScheduledRun,
  TargetSync, Devices, PinResult, CacheInfo, AlbumSpace, Item, SimilarGroup, Town, ExportSummary, PlaceCell, PasswordChange,
  OfferedSettings,
} from './bindings';

export type * from './bindings';

function channel(on: (e: JobEvent) => void): Channel<JobEvent> {
  const c = new Channel<JobEvent>();
  c.onmessage = on;
  return c;
}

export const api = {
  libraryInfo: () => invoke<LibraryInfo>('library_info'),
  /** Settings a restored snapshot named that this library has not taken. */
  offeredSettings: () => invoke<OfferedSettings | null>('offered_settings'),
  answerOfferedSettings: (adopt: boolean) => invoke<void>('answer_offered_settings', { adopt }),
  buckets: (view: View) => invoke<Bucket[]>('buckets', { view }),
  monthItems: (view: View, months: string[]) => invoke<MonthItems[]>('month_items', { view, months }),
  /** `limit` photos of a month from `offset`, newest first. */
  monthPage: (view: View, month: string, offset: number, limit: number) =>
    invoke<Item[]>('month_page', { view, month, offset, limit }),
  assetInfo: (hash: string) => invoke<AssetInfo>('asset_info', { hash }),
  setFavourite: (hashes: string[], on: boolean) => invoke<number>('set_favourite', { hashes, on }),
  setRating: (hashes: string[], stars: number) => invoke<number>('set_rating', { hashes, stars }),
  setKeyword: (hashes: string[], word: string, on: boolean) => invoke<number>('set_keyword', { hashes, word, on }),
  rotate: (hashes: string[], right: boolean) => invoke<number[]>('rotate', { hashes, right }),
  /** `to` a local date-time, or `shiftMinutes`, or neither to undo. */
  setDate: (hashes: string[], to: string | null, shiftMinutes: number | null) =>
    invoke<void>('set_date', { hashes, to, shiftMinutes }),
  /** `at` [lat, lon], or null to go back to what the files say. */
  setPlace: (hashes: string[], at: [number, number] | null) => invoke<void>('set_place', { hashes, at }),
  placeCells: (cell: number, south: number, west: number, north: number, east: number) =>
    invoke<PlaceCell[]>('place_cells', { cell, south, west, north, east }),
  findTowns: (query: string) => invoke<Town[]>('find_towns', { query }),
  setTrashed: (hashes: string[], on: boolean) => invoke<number>('set_trashed', { hashes, on }),
  emptyTrash: () => invoke<EmptyTrash>('empty_trash'),
  albums: () => invoke<Album[]>('albums'),
  albumCreate: (name: string) => invoke<Album>('album_create', { name }),
  albumRename: (id: number, name: string) => invoke<void>('album_rename', { id, name }),
  albumDelete: (id: number) => invoke<void>('album_delete', { id }),
  albumAdd: (id: number, hashes: string[]) => invoke<number>('album_add', { id, hashes }),
  albumMembers: (id: number) => invoke<string[]>('album_members', { id }),
  albumRemove: (id: number, hashes: string[]) => invoke<number>('album_remove', { id, hashes }),
  import: (paths: string[], on: (e: JobEvent) => void) =>
    invoke<ImportSummary>('import', { paths, onEvent: channel(on) }),
  cancelJob: () => invoke<void>('cancel_job'),
  /** Copies to a folder: originals (`size` null) or JPEGs at most `size` pixels long. */
  changePassword: (name: string, passphrase: string | null, on: (e: JobEvent) => void) =>
    invoke<PasswordChange>('target_change_password', { name, passphrase, onEvent: channel(on) }),
  export: (hashes: string[], to: string, size: number | null, on: (e: JobEvent) => void) =>
    invoke<ExportSummary>('export', { hashes, to, size, onEvent: channel(on) }),
  /** Groups of photos that look alike; `on` hears the looking at photos not yet looked at. */
  similar: (on: (e: JobEvent) => void) => invoke<SimilarGroup[]>('similar', { onEvent: channel(on) }),
  backup: (on: (e: JobEvent) => void, target: string | null = null) =>
    invoke<TargetBackup[]>('backup', { target, onEvent: channel(on) }),
  verify: (on: (e: JobEvent) => void) => invoke<TargetVerify[]>('verify', { onEvent: channel(on) }),
  /** The automatic backups and verifies due now (targets backed up once by hand). */
  scheduleDue: () => invoke<ScheduledJob[]>('schedule_due'),
  /** Runs the due ones, one after the other, with progress. */
  runScheduled: (on: (e: JobEvent) => void) => invoke<ScheduledRun[]>('run_scheduled', { onEvent: channel(on) }),
  sync: (on: (e: JobEvent) => void, target: string | null = null) =>
    invoke<TargetSync[]>('sync', { target, onEvent: channel(on) }),
  devices: () => invoke<Devices>('devices'),
  deviceRetire: (device: string) => invoke<void>('device_retire', { device }),
  /** Brings an original from the store; `on` hears its bytes. A newer fetch stops this one. */
  fetchOriginal: (hash: string, on: (e: JobEvent) => void = () => {}) =>
    invoke<void>('fetch_original', { hash, onEvent: channel(on) }),
  fetchCancel: () => invoke<void>('fetch_cancel'),
  cacheInfo: () => invoke<CacheInfo>('cache_info'),
  cacheFree: () => invoke<CacheInfo>('cache_free'),
  albumSpace: (id: number) => invoke<AlbumSpace>('album_space', { id }),
  albumPin: (id: number, on: boolean, on_: (e: JobEvent) => void) =>
    invoke<PinResult>('album_pin', { id, on, onEvent: channel(on_) }),
  targetSave: (form: TargetForm) => invoke<SavedTarget>('target_save', { form }),
  targetRemove: (name: string) => invoke<void>('target_remove', { name }),
  targetTest: (name: string) => invoke<TargetTest>('target_test', { name }),
  targetProbe: (form: TargetForm) => invoke<TargetTest>('target_probe', { form }),
  settingsGet: () => invoke<LibrarySettings>('settings_get'),
  settingsSet: (settings: LibrarySettings) => invoke<void>('settings_set', { settings }),
  watchAdd: (path: string, poll: boolean) => invoke<void>('watch_add', { path, poll }),
  watchRemove: (path: string) => invoke<void>('watch_remove', { path }),
};

/** URL of a thumbnail through the `thumb:` scheme (Windows spells custom schemes as http). */
export function thumbUrl(hash: string, size: number): string {
  return isWindows() ? `http://thumb.localhost/${size}/${hash}` : `thumb://localhost/${size}/${hash}`;
}

export function originalUrl(hash: string): string {
  return isWindows() ? `http://original.localhost/${hash}` : `original://localhost/${hash}`;
}

function isWindows(): boolean {
  return typeof navigator !== 'undefined' && /Windows/.test(navigator.userAgent);
}

export { errorHint, errorKind, errorText } from './errors';

// Generated from src-tauri/src/api.rs (types, by ts-rs) and src-tauri/src/commands/ (the
// wrappers). Do not edit: run `SHOEBOX_BLESS=1 cargo test -p shoebox-app bindings` after
// changing either.
import { Channel, invoke } from '@tauri-apps/api/core';

export type Hash = string;

export type View = { "kind": "all" } | { "kind": "favourites" } | { "kind": "album", album: number, } | { "kind": "trash" } | { "kind": "search" } & Search | { "kind": "area", south: number, west: number, north: number, east: number, } | { "kind": "person", person: number, };

export type Search = { query: string, 
/**
 * `photo` or `video`.
 */
media: string | null, favourites: boolean, 
/**
 * At least this many stars (0: any).
 */
min_rating: number, has_place: boolean, camera: string | null, };

export type LibraryInfo = { 
/**
 * The library folder.
 */
root: string, assets: number, bytes: number, photos: number, videos: number, 
/**
 * Whether HEIC photos get previews on this machine.
 */
heic_previews: boolean, 
/**
 * Whether videos get poster frames (ffmpeg found).
 */
video_posters: boolean, grid_size: number, preview_size: number, targets: Array<TargetInfo>, 
/**
 * Folders imported from automatically while the app runs.
 */
watch_folders: Array<WatchFolder>, 
/**
 * What the reconcile on open did, when it found leftovers of an interrupted import.
 */
recovered: string | null, 
/**
 * Automatic backups: `1h`, `off`…, and when each target's jobs run next.
 */
backup_every: string, schedule: Array<ScheduleInfo>, };

export type TargetInfo = { name: string, 
/**
 * `fs`, `s3`, `webdav`, or another OpenDAL scheme.
 */
scheme: string, 
/**
 * Human description: the folder, `s3://bucket at endpoint`, the URL.
 */
location: string, enabled: boolean, 
/**
 * Options without secrets.
 */
options: { [key in string]?: string }, 
/**
 * Names of the secrets it has (never their values).
 */
secrets: Array<string>, objects: number, bytes: number, pending_uploads: number, last_backup: string | null, last_result: string | null, last_verify: string | null, last_verify_ok: boolean | null, last_error: string | null, };

export type ScheduleInfo = { target: string, 
/**
 * False until the target has been backed up once by hand.
 */
active: boolean, next_backup: string | null, next_verify: string | null, next_deep_verify: string | null, last_deep_verify: string | null, };

export type ScheduledJob = { target: string, job: string, };

export type ScheduledRun = { target: string, job: string, ok: boolean, message: string, };

export type Bucket = { 
/**
 * `YYYY-MM`.
 */
month: string, count: number, };

export type Item = { hash: string, name: string, 
/**
 * Local capture time, `YYYY-MM-DDTHH:MM:SS.mmm` (sortable).
 */
taken: string, 
/**
 * Display size (orientation applied); 0 when unknown.
 */
w: number, h: number, video: boolean, duration_ms: number | null, favourite: boolean, 
/**
 * A thumbnail exists (else the tile says why not).
 */
thumb: boolean, 
/**
 * Its original is not on this computer (another device's photo, not fetched): the tile
 * shows a cloud.
 */
remote: boolean, 
/**
 * A Live Photo or a Motion Photo: it has a motion part (a video of its own, or inside it).
 */
live: boolean, 
/**
 * A RAW+JPEG pair: the camera RAW is kept with the JPEG shown.
 */
raw: boolean, 
/**
 * 0–5 stars.
 */
rating: number, 
/**
 * Quarter turns clockwise to show it with (0, 90, 180, 270); `w`/`h` already swapped.
 */
rotation: number, };

export type MonthItems = { month: string, items: Array<Item>, };

export type SimilarPhoto = { item: Item, size: number, path: string, 
/**
 * Make and model.
 */
camera: string | null, place: string | null, 
/**
 * How much it carries besides its pixels (camera date, position, camera, caption,
 * favourite, rating, keywords, albums): 0 to 8.
 */
metadata: number, };

export type SimilarGroup = { 
/**
 * 0 to 1: the share of the look the two least alike photos have in common.
 */
similarity: number, keep: string, photos: Array<SimilarPhoto>, };

export type AssetInfo = { hash: string, 
/**
 * Relative to the library.
 */
path: string, name: string, size: number, kind: string, mime: string, 
/**
 * RFC 3339 when the offset is known, else local time.
 */
taken: string, 
/**
 * `exif`, `exif_other`, `container`, `filename`, `mtime` or `takeout`.
 */
taken_source: string, width: number | null, height: number | null, make: string | null, model: string | null, lens: string | null, iso: number | null, exposure_time: number | null, f_number: number | null, focal_length_mm: number | null, lat: number | null, lon: number | null, alt: number | null, duration_ms: number | null, description: string | null, imported_at: string, favourite: boolean, trashed: boolean, thumb: boolean, 
/**
 * Albums it is in.
 */
albums: Array<number>, 
/**
 * One line per configured target.
 */
backups: Array<BackupState>, 
/**
 * Its original is only on a store (fetch it with `fetch_original`).
 */
remote: boolean, 
/**
 * The device that imported it, when not this one (its name when known).
 */
device: string | null, 
/**
 * A Live Photo's video, by hash (served by the `original:` scheme once here).
 */
motion: string | null, 
/**
 * A Motion Photo: its video is inside the file (served as `original://…/<hash>/motion`).
 */
motion_embedded: boolean, 
/**
 * A RAW+JPEG pair's camera RAW: its file name and size.
 */
raw: RawPart | null, 
/**
 * In the trash because another device put it there: that device.
 */
trashed_by: string | null, rating: number, rotation: number, keywords: Array<string>, 
/**
 * The date the file gives, when a corrected one (`taken`) is in use.
 */
taken_original: string | null, 
/**
 * Where it was taken, in words ("Trastevere, Lazio, Italy"), from the offline gazetteer.
 */
place: string | null, 
/**
 * The position was set by hand: what the file gives ("none" when it gives none).
 */
place_original: string | null, };

export type RawPart = { hash: string, name: string, 
/**
 * Bytes.
 */
size: number, };

export type PasswordChange = { 
/**
 * Objects written under the new password this time.
 */
copied: number, 
/**
 * Objects that had their copy from an earlier, stopped run.
 */
already: number, 
/**
 * Objects of the old password removed.
 */
deleted: number, 
/**
 * Bytes re-encrypted.
 */
bytes: number, 
/**
 * The new password is in force on the store.
 */
switched: boolean, 
/**
 * Stopped; *Change password* again goes on.
 */
cancelled: boolean, 
/**
 * The new recovery code Shoebox made, once in force (shown once).
 */
recovery_code: string | null, 
/**
 * The `rclone.conf` lines for the new password.
 */
rclone_config: string | null, };

export type Town = { 
/**
 * "Paris, Ile-de-France, France".
 */
name: string, lat: number, lon: number, };

export type PlaceCell = { lat: number, lon: number, count: number, 
/**
 * The newest photo's hash, for a thumbnail.
 */
cover: string, south: number, west: number, north: number, east: number, };

export type ExportSummary = { exported: number, bytes: number, 
/**
 * Photos not exported, with why (by hash).
 */
failed: Array<FileProblem>, cancelled: boolean, };

export type BackupState = { target: string, 
/**
 * The original's key on the store, when it is there.
 */
key: string | null, uploaded_at: string | null, verified_at: string | null, };

export type Album = { id: number, name: string, count: number, 
/**
 * Hash of the newest photo, for the cover.
 */
cover: string | null, created_at: string, 
/**
 * Its originals are kept on this computer (`shoebox pin`).
 */
pinned: boolean, };

export type JobEvent = { "event": "progress", phase: string, done: number, total: number, bytes_done: number, bytes_total: number, current: string | null, errors: number, } | { "event": "waiting", message: string, };

export type FileProblem = { path: string, reason: string, };

export type ImportSummary = { imported: number, bytes: number, duplicates: Array<FileProblem>, skipped: Array<FileProblem>, rejected: Array<FileProblem>, cancelled: boolean, 
/**
 * When the import was a Google Takeout export: what its sidecars gave.
 */
takeout: TakeoutSummary | null, };

export type TakeoutSummary = { 
/**
 * Photo sidecars found, and photos matched with one.
 */
sidecars: number, matched: number, 
/**
 * Photos without a sidecar, and why.
 */
without_sidecar: Array<FileProblem>, 
/**
 * Albums rebuilt from album folders.
 */
albums: Array<string>, favourites: number, 
/**
 * Photos Google had in its trash, now in Shoebox's.
 */
trashed: number, dates_from_sidecar: number, 
/**
 * Copies of a photo whose sidecars disagreed: the field, what was kept and what not.
 */
sidecar_conflicts: Array<FileProblem>, };

export type TargetSync = { target: string, ok: boolean, 
/**
 * Objects sent (originals, thumbnails, the snapshot).
 */
uploaded: number, 
/**
 * This device's edits and photos sent.
 */
pushed: number, 
/**
 * Other devices read.
 */
devices: number, new_photos: number, edits_applied: number, 
/**
 * What could not be taken in this time (tried again at the next sync).
 */
problems: Array<string>, 
/**
 * Photos of other devices placed under a safe name (theirs was one a disk here cannot
 * hold, such as `aux.jpg`).
 */
renamed: Array<string>, 
/**
 * Why the whole target failed (unreachable, another store in its place…).
 */
error: string | null, };

export type Devices = { this_device: string, others: Array<DeviceInfo>, };

export type DeviceInfo = { device: string, name: string | null, last_seen: string | null, photos: number, retired: boolean, };

export type PinResult = { fetched: number, bytes: number, 
/**
 * Originals that could not be fetched now (the store offline…); tried again at each sync.
 */
failed: Array<FileProblem>, };

export type AlbumSpace = { originals: number, bytes: number, };

export type ShareView = { id: string, album: string, target: string, 
/**
 * The link to send; none when this computer does not hold the share's key.
 */
link: string | null, 
/**
 * The link as a QR code (an SVG document), to open it on a phone.
 */
qr_svg: string | null, expires_at: string | null, photos: number, password: boolean, };

export type ShareTarget = { name: string, public_url: string | null, 
/**
 * The store can sign links (S3): without a public address, a link then lasts at most
 * `max_signed_days`.
 */
signs: boolean, max_signed_days: number, };

export type CacheInfo = { files: number, bytes: number, max_bytes: number, };

export type TargetBackup = { target: string, ok: boolean, 
/**
 * Stopped by the user; what finished is recorded.
 */
cancelled: boolean, 
/**
 * Objects written (originals, thumbnails, the snapshot).
 */
uploaded: number, 
/**
 * Of those, originals: the photos and videos newly safe on this target.
 */
photos: number, already_there: number, renamed: number, bytes: number, failed: Array<FileProblem>, 
/**
 * Why the whole target failed (unreachable, credentials...).
 */
error: string | null, snapshot: string | null, };

export type TargetVerify = { target: string, ok: boolean, objects: number, read_back: number, originals_checked: number, problems: Array<FileProblem>, error: string | null, };

export type EmptyTrash = { deleted: number, bytes: number, failed: Array<FileProblem>, };

export type TargetForm = { name: string, scheme: string, options: { [key in string]?: string }, secrets: { [key in string]?: string }, };

export type TargetTest = { 
/**
 * `ok`, `unreachable`, `tls`, `credentials`, `missing`, `read_only` or `error`.
 */
status: string, message: string, };

export type LibrarySettings = { allowed_extensions: Array<string>, max_file_size: number, 
/**
 * Most bytes of originals fetched from stores kept on this computer.
 */
cache_max_size: number, 
/**
 * Periods of the automatic backups and verifies: `1h`, `7d`, `off`.
 */
backup_every: string, verify_every: string, deep_verify_every: string, };

export type SavedTarget = { 
/**
 * Where the secrets went: the OS keychain, or a 0600 file and why.
 */
secrets_in: string | null, 
/**
 * A new encrypted target's recovery code (its password), shown once.
 */
recovery_code: string | null, 
/**
 * The `rclone.conf` lines that read the encrypted store without Shoebox.
 */
rclone_config: string | null, };

export type WatchEvent = { message: string, 
/**
 * Photos this message says were imported (the timeline reloads when non-zero).
 */
imported: number, error: boolean, };

export type Person = { id: number, name: string | null, hidden: boolean, 
/**
 * Faces on photos not in the trash.
 */
faces: number, photos: number, 
/**
 * The face to show for the person: the largest.
 */
cover: FaceRow | null, };

export type FaceRow = { id: number, 
/**
 * The photo.
 */
hash: string, key: string, 
/**
 * Left, top, width, height, in fractions of the picture.
 */
bbox: [number, number, number, number], score: number, person: number | null, name: string | null, };

export type FacesEvent = { running: boolean, done: number, total: number, 
/**
 * Faces found so far in this scan.
 */
faces: number, 
/**
 * Why faces are off (the models are missing or not the expected files), when they are.
 */
off: string | null, 
/**
 * A failure of the scan, told once.
 */
error: string | null, };

export type WatchFolder = { path: string, 
/**
 * Polled instead of relying on file system events (network shares).
 */
poll: boolean, };

export type OfferedTarget = { name: string, 
/**
 * Human description: the folder, `s3://bucket at endpoint`, the URL.
 */
location: string, };

export type OfferedSettings = { targets: Array<OfferedTarget>, watch_folders: Array<WatchFolder>, };

export type ErrorKind = "store_unreachable" | "credentials" | "store_missing" | "disk_full" | "permission" | "busy" | "not_found" | "invalid" | "damaged" | "too_new" | "cancelled" | "other";

export type AppError = { kind: ErrorKind, message: string, };

function channel<T>(on: (e: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = on;
  return c;
}

/** The app's commands, one typed wrapper each. */
export const api = {
  libraryInfo: () => invoke<LibraryInfo>('library_info'),
  /** Settings a restored snapshot offered and this library has not taken, if any. */
  offeredSettings: () => invoke<OfferedSettings | null>('offered_settings'),
  /** Takes (`adopt`) or declines the settings a restored snapshot offered. */
  answerOfferedSettings: (adopt: boolean) => invoke<void>('answer_offered_settings', { adopt }),
  settingsGet: () => invoke<LibrarySettings>('settings_get'),
  settingsSet: (settings: LibrarySettings) => invoke<void>('settings_set', { settings }),
  /** Adds a watch folder and restarts watching; what is already in it is imported now. */
  watchAdd: (path: string, poll: boolean) => invoke<void>('watch_add', { path, poll }),
  watchRemove: (path: string) => invoke<void>('watch_remove', { path }),
  buckets: (view: View) => invoke<Array<Bucket>>('buckets', { view }),
  monthItems: (view: View, months: Array<string>) => invoke<Array<MonthItems>>('month_items', { view, months }),
  /** A page of a month of thousands: `limit` photos from `offset`, newest first. */
  monthPage: (view: View, month: string, offset: number, limit: number) => invoke<Array<Item>>('month_page', { view, month, offset, limit }),
  assetInfo: (hash: string) => invoke<AssetInfo>('asset_info', { hash }),
  /** Towns whose name starts with what was typed ("Paris", "Paris, Texas"), for the place form. */
  findTowns: (query: string) => invoke<Array<Town>>('find_towns', { query }),
  /** The Places map's clusters: photos with a position counted in cells of `cell` degrees inside the area shown. */
  placeCells: (cell: number, south: number, west: number, north: number, east: number) => invoke<Array<PlaceCell>>('place_cells', { cell, south, west, north, east }),
  /** Photos that look alike. Works out the look of photos that have none yet first (an older library, other devices' photos), streaming progress; `cancel_job` stops that. */
  similar: (onEvent: (e: JobEvent) => void) => invoke<Array<SimilarGroup>>('similar', { onEvent: channel(onEvent) }),
  setFavourite: (hashes: Array<Hash>, on: boolean) => invoke<number>('set_favourite', { hashes, on }),
  setTrashed: (hashes: Array<Hash>, on: boolean) => invoke<number>('set_trashed', { hashes, on }),
  /** Gives photos 0–5 stars. */
  setRating: (hashes: Array<Hash>, stars: number) => invoke<number>('set_rating', { hashes, stars }),
  /** Adds (`on`) or removes a keyword. */
  setKeyword: (hashes: Array<Hash>, word: string, on: boolean) => invoke<number>('set_keyword', { hashes, word, on }),
  /** Turns photos a quarter (`right` true: clockwise); returns their rotations. */
  rotate: (hashes: Array<Hash>, right: boolean) => invoke<Array<number>>('rotate', { hashes, right }),
  /** Corrects photos' date: `to` (local date and time, `YYYY-MM-DDTHH:MM[:SS]`, the photo's own offset kept), or `shift_minutes`, or neither to go back to the file's date. */
  setDate: (hashes: Array<Hash>, to: string | null, shiftMinutes: number | null) => invoke<void>('set_date', { hashes, to, shiftMinutes }),
  /** Sets where photos were taken (`None`: back to what their files say). */
  setPlace: (hashes: Array<Hash>, at: [number, number] | null) => invoke<void>('set_place', { hashes, at }),
  emptyTrash: () => invoke<EmptyTrash>('empty_trash'),
  albums: () => invoke<Array<Album>>('albums'),
  /** What keeping an album on this computer would bring here. */
  albumSpace: (id: number) => invoke<AlbumSpace>('album_space', { id }),
  albumCreate: (name: string) => invoke<Album>('album_create', { name }),
  albumRename: (id: number, name: string) => invoke<void>('album_rename', { id, name }),
  albumDelete: (id: number) => invoke<void>('album_delete', { id }),
  albumAdd: (id: number, hashes: Array<Hash>) => invoke<number>('album_add', { id, hashes }),
  albumRemove: (id: number, hashes: Array<Hash>) => invoke<number>('album_remove', { id, hashes }),
  /** The photos of an album on the timeline (not trashed, not waiting to arrive), by hash. */
  albumMembers: (id: number) => invoke<Array<Hash>>('album_members', { id }),
  /** Keeps an album's originals on this computer (fetching those on the store, and at each sync those added later), or lets them go (`on` false: they may be evicted from the cache). */
  albumPin: (id: number, on: boolean, onEvent: (e: JobEvent) => void) => invoke<PinResult>('album_pin', { id, on, onEvent: channel(onEvent) }),
  /** People, the named first; hidden ones and single unnamed faces with `all`. */
  people: (all: boolean) => invoke<Array<Person>>('people', { all }),
  personName: (id: number, name: string) => invoke<Person>('person_name', { id, name }),
  /** Merges person `from` into `into`. */
  peopleMerge: (from: number, into: number) => invoke<Person>('people_merge', { from, into }),
  personHide: (id: number, hidden: boolean) => invoke<void>('person_hide', { id, hidden }),
  /** Takes a wrongly grouped face out of its person. */
  faceRemove: (face: number) => invoke<void>('face_remove', { face }),
  /** The faces of a photo, for the viewer's marks. */
  facesOf: (hash: Hash) => invoke<Array<FaceRow>>('faces_of', { hash }),
  /** Looks for faces in the photos not looked at yet, in the background (`faces` events). */
  facesScan: () => invoke<void>('faces_scan'),
  /** The shares of an album made on this computer, newest first. */
  shares: (album: string) => invoke<Array<ShareView>>('shares', { album }),
  /** The targets a share can go to, with their public addresses. */
  shareTargets: () => invoke<Array<ShareTarget>>('share_targets'),
  /** Publishes an album on a target (setting the target's public address first when one is given) and returns the new share with its link; with a password, the link holds no key and the viewer asks for it. */
  shareCreate: (album: string, target: string, publicUrl: string | null, expiresDays: number | null, password: string | null) => invoke<ShareView>('share_create', { album, target, publicUrl, expiresDays, password }),
  /** Deletes a share from its store (all of it, checked); returns how many objects went. */
  shareRevoke: (id: string) => invoke<number>('share_revoke', { id }),
  /** Imports dropped or picked files and folders, streaming progress; `cancel_job` stops it between files (what was imported stays). */
  import: (paths: Array<string>, onEvent: (e: JobEvent) => void) => invoke<ImportSummary>('import', { paths, onEvent: channel(onEvent) }),
  /** Exports photos to a folder: originals (`size` null) or JPEGs at most `size` pixels long, streaming progress; `cancel_job` stops it between photos. */
  export: (hashes: Array<Hash>, to: string, size: number | null, onEvent: (e: JobEvent) => void) => invoke<ExportSummary>('export', { hashes, to, size, onEvent: channel(onEvent) }),
  /** Asks the running job to stop. */
  cancelJob: () => invoke<void>('cancel_job'),
  /** Backs up to every enabled target (or one), streaming progress; `cancel_job` stops it after the transfers in flight (the next backup picks up the rest). */
  backup: (target: string | null, onEvent: (e: JobEvent) => void) => invoke<Array<TargetBackup>>('backup', { target, onEvent: channel(onEvent) }),
  /** Compares every enabled target with the catalog (sizes, and 5% of the objects read back). */
  verify: (onEvent: (e: JobEvent) => void) => invoke<Array<TargetVerify>>('verify', { onEvent: channel(onEvent) }),
  /** The scheduled backups and verifies due now (the window asks every minute while nothing else runs, and then runs them with [`run_scheduled`], so they show their progress like any job). */
  scheduleDue: () => invoke<Array<ScheduledJob>>('schedule_due'),
  /** Runs the scheduled jobs that are due, one after the other, streaming their progress; `cancel_job` stops them after the transfers in flight. */
  runScheduled: (onEvent: (e: JobEvent) => void) => invoke<Array<ScheduledRun>>('run_scheduled', { onEvent: channel(onEvent) }),
  /** Sends this device's photos and edits to every enabled target (or one) and takes in the other devices': new photos appear with their thumbnails, originals stay on the store. */
  sync: (target: string | null, onEvent: (e: JobEvent) => void) => invoke<Array<TargetSync>>('sync', { target, onEvent: channel(onEvent) }),
  /** This device and the other devices of the library it has synced with. */
  devices: () => invoke<Devices>('devices'),
  /** Retires a device that will never come back (every device learns it at its next sync). */
  deviceRetire: (device: string) => invoke<void>('device_retire', { device }),
  /** Brings a photo's original (and a Live Photo's video) from the store onto this computer, checked against its hash. */
  fetchOriginal: (hash: Hash, onEvent: (e: JobEvent) => void) => invoke<void>('fetch_original', { hash, onEvent: channel(onEvent) }),
  /** Stops the viewer's fetch of an original (it closed). */
  fetchCancel: () => invoke<void>('fetch_cancel'),
  /** Size and cap of the originals fetched from stores. */
  cacheInfo: () => invoke<CacheInfo>('cache_info'),
  /** Frees the space of fetched originals no pinned album keeps (they stay on the store). */
  cacheFree: () => invoke<CacheInfo>('cache_free'),
  /** Changes an encrypted target's password (`passphrase`, or a new recovery code when empty): everything on the store re-encrypted, as a job with progress and Cancel; resumable. */
  targetChangePassword: (name: string, passphrase: string | null, onEvent: (e: JobEvent) => void) => invoke<PasswordChange>('target_change_password', { name, passphrase, onEvent: channel(onEvent) }),
  targetSave: (form: TargetForm) => invoke<SavedTarget>('target_save', { form }),
  targetRemove: (name: string) => invoke<void>('target_remove', { name }),
  targetTest: (name: string) => invoke<TargetTest>('target_test', { name }),
  /** The form's *Test*: the target as typed, before it is saved. */
  targetProbe: (form: TargetForm) => invoke<TargetTest>('target_probe', { form }),
};

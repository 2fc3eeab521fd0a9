// The Places map: an equirectangular world (x = longitude, y = −latitude) drawn from Natural
// Earth's countries at 1:50m (the `world-atlas` package, public domain data), shipped with the
// app: no tile server, nothing fetched.
import type { Geometry, Position } from 'geojson';

/** What the map shows: its centre and how many degrees one pixel spans. */
export interface Camera {
  lon: number;
  lat: number;
  /** Degrees per pixel. */
  scale: number;
}

export interface Box {
  south: number;
  west: number;
  north: number;
  east: number;
}

/** The closest the map zooms: about 20 m a pixel, a town's streets. */
export const MIN_SCALE = 0.0002;

/** The whole world in a `width` × `height` pixel map. */
export function worldCamera(width: number, height: number): Camera {
  const scale = Math.max(360 / Math.max(width, 1), 170 / Math.max(height, 1));
  return { lon: 0, lat: 10, scale };
}

/** The area a camera shows in a `width` × `height` map. */
export function boxOf(c: Camera, width: number, height: number): Box {
  const hw = (width / 2) * c.scale;
  const hh = (height / 2) * c.scale;
  return { south: c.lat - hh, west: c.lon - hw, north: c.lat + hh, east: c.lon + hw };
}

function clampCamera(c: Camera, width: number, height: number): Camera {
  const max = worldCamera(width, height).scale * 1.5;
  const scale = Math.min(Math.max(c.scale, MIN_SCALE), max);
  return { lon: Math.min(Math.max(c.lon, -180), 180), lat: Math.min(Math.max(c.lat, -85), 85), scale };
}

/** Zoomed by `factor` (< 1: closer) keeping the point under pixel (`x`, `y`) where it is. */
export function zoomAt(c: Camera, factor: number, x: number, y: number, width: number, height: number): Camera {
  const lon = c.lon + (x - width / 2) * c.scale;
  const lat = c.lat - (y - height / 2) * c.scale;
  const scale = c.scale * factor;
  return clampCamera({ lon: lon - (x - width / 2) * scale, lat: lat + (y - height / 2) * scale, scale }, width, height);
}

/** Moved by a drag of `dx`, `dy` pixels. */
export function panBy(c: Camera, dx: number, dy: number, width: number, height: number): Camera {
  return clampCamera({ ...c, lon: c.lon - dx * c.scale, lat: c.lat + dy * c.scale }, width, height);
}

/** The pixel of a position. */
export function pixelOf(c: Camera, lat: number, lon: number, width: number, height: number): [number, number] {
  return [width / 2 + (lon - c.lon) / c.scale, height / 2 - (lat - c.lat) / c.scale];
}

const CELLS = [45, 30, 15, 10, 5, 2, 1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002];

/** The cluster grid for a camera: cells of about 80 pixels, from a fixed ladder so clusters
 * stay put while panning. */
export function cellFor(c: Camera): number {
  const want = c.scale * 80;
  return CELLS.find((s) => s <= want) ?? CELLS[CELLS.length - 1];
}

/** A ring as a path; one that crosses the antimeridian is unwrapped (it runs on past ±180°,
 * off the map) instead of striking across the whole world. */
function ring(r: Position[]): string {
  let shift = 0;
  let prev: number | null = null;
  return r.map((p, i) => {
    if (prev !== null && Math.abs(p[0] + shift - prev) > 180) shift += p[0] + shift > prev ? -360 : 360;
    const x = p[0] + shift;
    prev = x;
    return `${i ? 'L' : 'M'}${x.toFixed(3)},${(-p[1]).toFixed(3)}`;
  }).join('') + 'Z';
}

/** SVG path data of a (multi)polygon in map coordinates. */
export function pathOf(g: Geometry): string {
  if (g.type === 'Polygon') return g.coordinates.map(ring).join('');
  if (g.type === 'MultiPolygon') return g.coordinates.map((p) => p.map(ring).join('')).join('');
  return '';
}

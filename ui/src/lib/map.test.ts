import { describe, expect, it } from 'vitest';
import { boxOf, cellFor, panBy, pathOf, pixelOf, worldCamera, zoomAt, MIN_SCALE } from './map';

describe('the map camera', () => {
  it('shows the whole world at first', () => {
    const c = worldCamera(720, 400);
    const b = boxOf(c, 720, 400);
    expect(b.west).toBeLessThanOrEqual(-180);
    expect(b.east).toBeGreaterThanOrEqual(180);
  });
  it('zooms about the pointer and keeps that point under it', () => {
    const c = worldCamera(800, 400);
    const [x, y] = pixelOf(c, 41.9, 12.5, 800, 400);
    const z = zoomAt(c, 0.25, x, y, 800, 400);
    const [x2, y2] = pixelOf(z, 41.9, 12.5, 800, 400);
    expect(Math.abs(x2 - x)).toBeLessThan(1e-6);
    expect(Math.abs(y2 - y)).toBeLessThan(1e-6);
    expect(z.scale).toBeCloseTo(c.scale * 0.25);
  });
  it('stops at street level and pans by pixels', () => {
    let c = worldCamera(800, 400);
    for (let i = 0; i < 40; i++) c = zoomAt(c, 0.5, 400, 200, 800, 400);
    expect(c.scale).toBe(MIN_SCALE);
    const p = panBy({ lon: 10, lat: 10, scale: 0.1 }, 50, -20, 800, 400);
    expect(p.lon).toBeCloseTo(5);
    expect(p.lat).toBeCloseTo(8);
  });
  it('clusters in cells of about 80 pixels from a fixed ladder', () => {
    expect(cellFor({ lon: 0, lat: 0, scale: 0.45 })).toBe(30);
    expect(cellFor({ lon: 0, lat: 0, scale: 0.001 })).toBe(0.05);
  });
  it('does not strike across the world for an island on the antimeridian', () => {
    const d = pathOf({ type: 'Polygon', coordinates: [[[179, -16], [-179, -16], [-179, -17], [179, -16]]] });
    expect(d).toBe('M179.000,16.000L181.000,16.000L181.000,17.000L179.000,16.000Z');
  });
  it('draws polygons with latitude up', () => {
    expect(pathOf({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 5], [0, 0]]] })).toBe(
      'M0.000,0.000L10.000,0.000L10.000,-5.000L0.000,0.000Z',
    );
  });
});

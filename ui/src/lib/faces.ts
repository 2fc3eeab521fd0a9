// Face boxes on a turned picture.

/** A box as fractions of the picture: left, top, width, height. */
export type Box = [number, number, number, number];

/**
 * Where box `b` (fractions of the picture as the preview holds it) falls once the picture is
 * turned clockwise by `degrees` (0, 90, 180 or 270, as the viewer turns it): fractions of the
 * turned picture. A turn of 90° takes the point (x, y) to (1 − y, x).
 */
export function turnBox(b: Box, degrees: number): Box {
  const [x, y, w, h] = b;
  switch (((degrees % 360) + 360) % 360) {
    case 90: return [1 - y - h, x, h, w];
    case 180: return [1 - x - w, 1 - y - h, w, h];
    case 270: return [y, 1 - x - w, h, w];
    default: return [x, y, w, h];
  }
}

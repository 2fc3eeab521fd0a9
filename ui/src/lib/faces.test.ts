import { describe, expect, it } from 'vitest';
import { turnBox, type Box } from './faces';

// A face in the top-left corner of a picture: a quarter wide, a fifth tall, a little in.
const face: Box = [0.1, 0.05, 0.25, 0.2];

const close = (a: Box, b: Box) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 9));

describe('turnBox', () => {
  it('leaves an unturned box as it is', () => {
    close(turnBox(face, 0), face);
    close(turnBox(face, 360), face);
  });

  it('takes the top-left corner to the top-right on a quarter turn clockwise', () => {
    // Its top edge (y 0.05) becomes the right edge: it ends 0.05 from the right.
    close(turnBox(face, 90), [0.75, 0.1, 0.2, 0.25]);
  });

  it('takes it to the bottom-right on a half turn and the bottom-left on three quarters', () => {
    close(turnBox(face, 180), [0.65, 0.75, 0.25, 0.2]);
    close(turnBox(face, 270), [0.05, 0.65, 0.2, 0.25]);
    close(turnBox(face, -90), turnBox(face, 270));
  });

  it('comes back after four quarter turns, and two halves', () => {
    let b = face;
    for (let i = 0; i < 4; i++) b = turnBox(b, 90);
    close(b, face);
    close(turnBox(turnBox(face, 180), 180), face);
  });
});

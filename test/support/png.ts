// Owns decoding a screenshot PNG just enough for a test to tell a blank page from a rendered one (distinct colours).
import { inflateSync } from 'node:zlib';

/**
 * Decodes an 8-bit RGB/RGBA PNG just enough to count distinct colours, sampling every `rowStep`-th row and every
 * `pixelStep`-th pixel of it. Rows are read as raw (still filtered) bytes, apart from their filter-independent first
 * pixel: enough to tell a blank page from a rendered one, not a true colour count.
 */
export function distinctColours(png: Buffer, { rowStep = 5, pixelStep = 7 } = {}): number {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const colours = new Set<string>();
  for (let y = 0; y < height; y += rowStep) {
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x += channels * pixelStep) colours.add(row.subarray(x, x + channels).toString('hex'));
  }
  return colours.size;
}

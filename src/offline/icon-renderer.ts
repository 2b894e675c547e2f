import { deflateSync } from 'node:zlib';

/**
 * Draws the Tidings icon (a white speech bubble with three dots on a blue
 * rounded square, the same shape as public/icon.svg) into a PNG, with no
 * image tool: shapes are tested per subpixel and the result is written with
 * zlib. `render-icons.ts` uses it to make the manifest's PNG icons.
 */
const BLUE: Rgb = [0x4f, 0x6b, 0xed];
const WHITE: Rgb = [0xff, 0xff, 0xff];
type Rgb = [number, number, number];

export interface IconOptions {
  size: number;
  /** Maskable icons fill the square edge to edge and keep the bubble in the 80% safe zone. */
  maskable?: boolean;
}

export function renderIconPng(options: IconOptions): Buffer {
  const { size } = options;
  const samples = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          // Coordinates in the SVG's 64-unit box.
          const u = ((x + (sx + 0.5) / samples) / size) * 64;
          const v = ((y + (sy + 0.5) / samples) / size) * 64;
          const color = colorAt(u, v, options.maskable ?? false);
          if (!color) continue;
          r += color[0]; g += color[1]; b += color[2]; a += 255;
        }
      }
      const n = samples * samples;
      const covered = a / 255;
      const i = (y * size + x) * 4;
      rgba[i] = covered ? Math.round(r / covered) : 0;
      rgba[i + 1] = covered ? Math.round(g / covered) : 0;
      rgba[i + 2] = covered ? Math.round(b / covered) : 0;
      rgba[i + 3] = Math.round(a / n);
    }
  }
  return encodePng(size, size, rgba);
}

function colorAt(u: number, v: number, maskable: boolean): Rgb | null {
  if (!maskable && !inRoundedRect(u, v, 0, 0, 64, 64, 16)) return null;
  // A maskable icon shrinks the bubble to 80% around the centre.
  const [bu, bv] = maskable ? [(u - 32) / 0.8 + 32, (v - 32) / 0.8 + 32] : [u, v];
  const dots = [25, 32, 39].some((cx) => (bu - cx) ** 2 + (bv - 31) ** 2 <= 2.5 ** 2);
  if (dots) return BLUE;
  const body = inRoundedRect(bu, bv, 14, 20, 36, 22, 4);
  const tail = bv >= 42 && bv <= 49 && bu >= 22 && bu <= 30 && bu - 22 <= ((49 - bv) / 7) * 8;
  return body || tail ? WHITE : BLUE;
}

function inRoundedRect(u: number, v: number, x: number, y: number, w: number, h: number, r: number): boolean {
  if (u < x || v < y || u > x + w || v > y + h) return false;
  const cx = Math.min(Math.max(u, x + r), x + w - r);
  const cy = Math.min(Math.max(v, y + r), y + h - r);
  return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}

/** An 8-bit RGBA PNG: signature, IHDR, one IDAT, IEND. */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // depth 8, colour type RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

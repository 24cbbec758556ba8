// The fonts every PDF embeds: DejaVu Sans (regular and bold) from the dejavu-fonts-ttf package, which
// covers accented French and more; read and parsed once per process, subset into each document.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PDFDocument } from 'pdf-lib';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

const require = createRequire(import.meta.url);
// Required, not imported, like pdf-lib (see pdf-builder.ts): Node would otherwise parse this 1.5 MB
// CommonJS bundle for named exports first, ~8 MB of memory and ~50 ms.
const fontkit = require('@pdf-lib/fontkit') as Fontkit;
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export type FontName = 'DejaVuSans.ttf' | 'DejaVuSans-Bold.ttf';

const bytesByName = new Map<FontName, Uint8Array>();

export function fontBytes(name: FontName): Uint8Array {
  let bytes = bytesByName.get(name);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(FONT_DIR, name)));
    bytesByName.set(name, bytes);
  }
  return bytes;
}

type FontkitFont = ReturnType<Fontkit['create']>;
const parsed = new WeakMap<Uint8Array, FontkitFont>();

/**
 * A fontkit that parses each font's bytes once: pdf-lib asks for a fresh parse per document, but a
 * parsed font (and the glyphs it has loaded) serves any number of documents, each with its own subset.
 */
export const cachingFontkit: Fontkit = {
  create(buffer: Uint8Array, postscriptName?: string) {
    let font = parsed.get(buffer);
    if (!font) {
      font = fontkit.create(buffer, postscriptName);
      parsed.set(buffer, font);
    }
    return font;
  },
};

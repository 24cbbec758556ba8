// A thin, fast layer over pdf-lib: pages whose content streams are written as text, one text object per
// table row, with glyphs encoded through a per-character cache. pdf-lib's drawText emits about eight
// operators per call and re-shapes every string; at 10,000 rows that is the difference between ~3 s and
// well under one.
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import type * as PdfLib from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';
import { cachingFontkit, fontBytes } from './fonts.js';

// pdf-lib is a CommonJS package, so it is required rather than imported: for an import, Node first parses
// the package's sources for their named exports, following every re-export, which cost a process that
// renders PDFs ~12 MB of memory and ~40 ms at start (bench/README.md). Same module, same public API.
const { PDFDict, PDFDocument, PDFName, PDFRef } = createRequire(import.meta.url)('pdf-lib') as typeof PdfLib;
type PDFDocument = PdfLib.PDFDocument;
type PDFRef = PdfLib.PDFRef;

export const PAGE_LETTER: readonly [number, number] = [612, 792];
export const PAGE_LETTER_LANDSCAPE: readonly [number, number] = [792, 612];

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

/** A glyph's code in the content stream (hex) and its advance width at size 1. */
export interface Glyph {
  readonly hex: string;
  readonly width: number;
}

/** Thrown when a document drawn with the prepared fonts meets a character they lack (it is then redrawn). */
export class MissingGlyph extends Error {}

/** A font face as the page writer uses it: glyph codes and widths by character, and whole strings cached. */
export class TextFace {
  private readonly glyphOf: (ch: string) => Glyph;
  private readonly chars = new Map<string, Glyph>();
  /** Whole strings seen before (account numbers, call types, repeated amounts): most cells of a long table. */
  private readonly strings = new Map<string, Glyph>();

  constructor(glyphOf: (ch: string) => Glyph) {
    this.glyphOf = glyphOf;
  }

  private glyph(ch: string): Glyph {
    let g = this.chars.get(ch);
    if (!g) {
      g = this.glyphOf(ch);
      this.chars.set(ch, g);
    }
    return g;
  }

  /** Glyph codes (hex) and width at size 1 of a string, character by character (no kerning or ligatures). */
  encode(text: string): Glyph {
    let encoded = this.strings.get(text);
    if (encoded) return encoded;
    // Joined, not concatenated: a cached code string stays flat instead of a rope of one node per glyph.
    const codes: string[] = [];
    let width = 0;
    for (const ch of text) {
      const g = this.glyph(ch);
      codes.push(g.hex);
      width += g.width;
    }
    encoded = { hex: codes.join(''), width };
    // Long strings (times, descriptions) rarely repeat: keeping them would only hold memory.
    if (text.length <= 16) {
      if (this.strings.size > 20_000) this.strings.clear();
      this.strings.set(text, encoded);
    }
    return encoded;
  }

  widthOf(text: string, size: number): number {
    return this.encode(text).width * size;
  }

  /** The text cut to fit a width, with an ellipsis when something had to go. */
  fit(text: string, size: number, maxWidth: number): string {
    if (this.widthOf(text, size) <= maxWidth) return text;
    const ellipsis = this.widthOf('…', size);
    let out = '';
    let width = 0;
    for (const ch of text) {
      const w = this.widthOf(ch, size);
      if (width + w + ellipsis > maxWidth) break;
      out += ch;
      width += w;
    }
    return `${out.trimEnd()}…`;
  }
}

/** A face whose glyphs pdf-lib adds to this document's subset of the font as they are first drawn. */
function subsetFace(font: PDFFont): TextFace {
  return new TextFace((ch) => ({
    hex: font.encodeText(ch).toString().slice(1, -1),
    width: font.widthOfTextAtSize(ch, 1),
  }));
}

/** A face over the prepared fonts: a fixed table of glyphs, the same in every document. */
function preparedFace(glyphs: ReadonlyMap<string, Glyph>): TextFace {
  return new TextFace((ch) => {
    const g = glyphs.get(ch);
    if (!g) throw new MissingGlyph(`no prepared glyph for U+${ch.codePointAt(0)?.toString(16).padStart(4, '0')}`);
    return g;
  });
}

export interface TextCell {
  readonly face: TextFace;
  readonly size: number;
  readonly x: number;
  readonly text: string;
  /** Right: x is the right edge; center: x is the middle. */
  readonly align?: 'left' | 'right' | 'center';
}

/** One page's content, written as PDF operators. Coordinates are PDF points from the bottom left. */
export class PageWriter {
  readonly width: number;
  readonly height: number;
  private parts: string[] = [];
  private readonly streams: Buffer[] = [];
  private readonly fontKeys: ReadonlyMap<TextFace, string>;

  constructor(width: number, height: number, fontKeys: ReadonlyMap<TextFace, string>) {
    this.width = width;
    this.height = height;
    this.fontKeys = fontKeys;
  }

  /** A row of text at one baseline: one BT…ET text object, whatever the number of cells. */
  textRow(y: number, cells: readonly TextCell[], gray = 0): void {
    // A text object does not save the graphics state: a gray other than black is scoped by q…Q.
    let out = gray === 0 ? 'BT\n' : `q ${fmt(gray)} g\nBT\n`;
    let current: TextFace | null = null;
    let currentSize = 0;
    for (const cell of cells) {
      if (cell.text === '') continue;
      if (cell.face !== current || cell.size !== currentSize) {
        out += `${this.fontKeys.get(cell.face)} ${fmt(cell.size)} Tf\n`;
        current = cell.face;
        currentSize = cell.size;
      }
      const { hex, width } = cell.face.encode(cell.text);
      const w = width * cell.size;
      const x = cell.align === 'right' ? cell.x - w : cell.align === 'center' ? cell.x - w / 2 : cell.x;
      out += `1 0 0 1 ${fmt(x)} ${fmt(y)} Tm <${hex}> Tj\n`;
    }
    this.parts.push(gray === 0 ? `${out}ET\n` : `${out}ET Q\n`);
  }

  /**
   * A table row in one face and size: the fast path for long tables. Cells move with relative Td
   * offsets from the row's first cell; `right[i]` aligns cell i's right edge on anchors[i].
   */
  tableRow(
    y: number,
    face: TextFace,
    size: number,
    texts: readonly string[],
    anchors: readonly number[],
    right: readonly boolean[],
  ): void {
    let out = `BT\n${this.fontKeys.get(face)} ${fmt(size)} Tf\n`;
    let lastX = 0;
    let lastY = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (text === '') continue;
      const { hex, width } = face.encode(text);
      const x = right[i] ? anchors[i]! - width * size : anchors[i]!;
      out += `${fmt(x - lastX)} ${fmt(y - lastY)} Td <${hex}> Tj\n`;
      lastX = x;
      lastY = y;
    }
    this.parts.push(`${out}ET\n`);
  }

  text(
    face: TextFace,
    size: number,
    x: number,
    y: number,
    text: string,
    align: TextCell['align'] = 'left',
    gray = 0,
  ): void {
    this.textRow(y, [{ face, size, x, text, align }], gray);
  }

  /** Filled rectangles in one gray, as one path. */
  fillRects(rects: readonly (readonly [number, number, number, number])[], gray: number): void {
    if (rects.length === 0) return;
    let out = `q ${fmt(gray)} g\n`;
    for (const [x, y, w, h] of rects) out += `${fmt(x)} ${fmt(y)} ${fmt(w)} ${fmt(h)} re\n`;
    this.parts.push(`${out}f Q\n`);
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5, gray = 0): void {
    this.parts.push(`q ${fmt(gray)} G ${fmt(width)} w ${fmt(x1)} ${fmt(y1)} m ${fmt(x2)} ${fmt(y2)} l S Q\n`);
  }

  /**
   * Compresses what the page holds so far into one content stream, outside the JavaScript heap. Each
   * row is built by concatenation, a rope of dozens of small strings: holding 10,000 rows of them until
   * save raised a detail PDF's peak memory by ~10 MB. Drawing may go on after (the footer, once the page
   * count is known): it becomes a further stream.
   */
  seal(): void {
    if (this.parts.length === 0) return;
    // Node's zlib, not pdf-lib's JavaScript deflate: a 10,000-row table is megabytes of operators.
    this.streams.push(deflateSync(Buffer.from(this.parts.join(''), 'latin1'), { level: 6 }));
    this.parts = [];
  }

  /** The page's content streams, deflated, in drawing order. */
  contentStreams(): readonly Uint8Array[] {
    this.seal();
    return this.streams;
  }
}

export interface PdfMetadata {
  readonly title: string;
  readonly subject?: string;
  readonly createdAt: Date;
}

/**
 * The characters every document can draw without subsetting the fonts again: Latin (with everything
 * French, Spanish, German… need), and the punctuation and symbols reports and invoices use.
 */
const PREPARED_CHARACTERS = (() => {
  let text = '';
  for (let cp = 0x20; cp <= 0x7e; cp++) text += String.fromCodePoint(cp);
  for (let cp = 0xa0; cp <= 0x17f; cp++) text += String.fromCodePoint(cp);
  return `${text}‐–—‘’‚“”„†‡•…‰′″‹›€™−≤≥≠≈∞✓№`;
})();

interface PreparedFonts {
  /** A one-page PDF whose page resources hold both fonts as /F1 and /F2, already subset and compressed. */
  readonly bytes: Uint8Array;
  readonly regular: ReadonlyMap<string, Glyph>;
  readonly bold: ReadonlyMap<string, Glyph>;
}

let prepared: Promise<PreparedFonts> | undefined;
let ready: PreparedFonts | undefined;

/**
 * Subsets both fonts to PREPARED_CHARACTERS once per process. Each document then starts from these
 * bytes: no shaping, subsetting or compressing of fonts per document, which would otherwise cost a
 * short report more than its query.
 */
export function prepareFonts(): Promise<PreparedFonts> {
  prepared ??= (async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.registerFontkit(cachingFontkit);
    const regular = await doc.embedFont(fontBytes('DejaVuSans.ttf'), { subset: true });
    const bold = await doc.embedFont(fontBytes('DejaVuSans-Bold.ttf'), { subset: true });
    const table = (font: PDFFont) => {
      const glyphs = new Map<string, Glyph>();
      for (const ch of PREPARED_CHARACTERS) {
        glyphs.set(ch, { hex: font.encodeText(ch).toString().slice(1, -1), width: font.widthOfTextAtSize(ch, 1) });
      }
      return glyphs;
    };
    const glyphs = { regular: table(regular), bold: table(bold) };
    const page = doc.addPage([72, 72]);
    page.node.setFontDictionary(PDFName.of('F1'), regular.ref);
    page.node.setFontDictionary(PDFName.of('F2'), bold.ref);
    ready = { bytes: await doc.save({ useObjectStreams: false }), ...glyphs };
    return ready;
  })();
  return prepared;
}

export interface PdfMetadata {
  readonly title: string;
  readonly subject?: string;
  readonly createdAt: Date;
}

/** A document with DejaVu Sans regular and bold. */
export class PdfBuilder {
  readonly doc: PDFDocument;
  readonly regular: TextFace;
  readonly bold: TextFace;
  readonly pages: PageWriter[] = [];
  /** Every page names the two fonts alike in its resources. */
  private readonly fontKeys: Map<TextFace, string>;
  private readonly fontRefs: readonly [PDFRef, PDFRef];

  private constructor(doc: PDFDocument, regular: TextFace, bold: TextFace, refs: readonly [PDFRef, PDFRef]) {
    this.doc = doc;
    this.regular = regular;
    this.bold = bold;
    this.fontRefs = refs;
    this.fontKeys = new Map([
      [this.regular, '/F1'],
      [this.bold, '/F2'],
    ]);
  }

  /**
   * A document on the prepared fonts, or (`subset`) one that subsets the fonts to what it draws, for
   * text beyond the prepared characters.
   */
  static async create(metadata: PdfMetadata, fonts: 'prepared' | 'subset' = 'prepared'): Promise<PdfBuilder> {
    let builder: PdfBuilder;
    if (fonts === 'prepared') {
      const ready = await prepareFonts();
      const doc = await PDFDocument.load(ready.bytes, { updateMetadata: false });
      const template = doc.getPage(0);
      const resources = template.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
      const regular = resources?.get(PDFName.of('F1'));
      const bold = resources?.get(PDFName.of('F2'));
      if (!(regular instanceof PDFRef) || !(bold instanceof PDFRef))
        throw new Error('the prepared fonts PDF has no /F1 and /F2');
      doc.removePage(0);
      doc.context.delete(template.ref);
      builder = new PdfBuilder(doc, preparedFace(ready.regular), preparedFace(ready.bold), [regular, bold]);
    } else {
      const doc = await PDFDocument.create({ updateMetadata: false });
      doc.registerFontkit(cachingFontkit);
      const regular = await doc.embedFont(fontBytes('DejaVuSans.ttf'), { subset: true });
      const bold = await doc.embedFont(fontBytes('DejaVuSans-Bold.ttf'), { subset: true });
      builder = new PdfBuilder(doc, subsetFace(regular), subsetFace(bold), [regular.ref, bold.ref]);
    }
    const { doc } = builder;
    doc.setTitle(metadata.title, { showInWindowTitleBar: true });
    if (metadata.subject) doc.setSubject(metadata.subject);
    doc.setCreator('Support Assistant reports');
    doc.setProducer('pdf-lib');
    doc.setCreationDate(metadata.createdAt);
    doc.setModificationDate(metadata.createdAt);
    return builder;
  }

  /**
   * Draws a document on the prepared fonts once prepareFonts() has finished (a running service calls it
   * at start), and again with subset fonts if it needs a character they lack. Before that (a one-shot
   * CLI run) it subsets: preparing costs more than one document.
   */
  static async render(metadata: PdfMetadata, draw: (pdf: PdfBuilder) => void | Promise<void>): Promise<Uint8Array> {
    if (ready) {
      try {
        const pdf = await PdfBuilder.create(metadata, 'prepared');
        await draw(pdf);
        return await pdf.save();
      } catch (error) {
        if (!(error instanceof MissingGlyph)) throw error;
      }
    }
    const pdf = await PdfBuilder.create(metadata, 'subset');
    await draw(pdf);
    return await pdf.save();
  }

  addPage(size: readonly [number, number]): PageWriter {
    // The page before is finished but for its footer: compress it now rather than hold its rows as text.
    this.pages.at(-1)?.seal();
    const page = new PageWriter(size[0], size[1], this.fontKeys);
    this.pages.push(page);
    return page;
  }

  async save(): Promise<Uint8Array> {
    for (const writer of this.pages) {
      const page = this.doc.addPage([writer.width, writer.height]);
      page.node.setFontDictionary(PDFName.of('F1'), this.fontRefs[0]);
      page.node.setFontDictionary(PDFName.of('F2'), this.fontRefs[1]);
      for (const compressed of writer.contentStreams()) {
        const stream = this.doc.context.stream(compressed, { Filter: 'FlateDecode' });
        page.node.addContentStream(this.doc.context.register(stream));
      }
    }
    // Without object streams: they would be deflated by pdf-lib's JavaScript zlib, for a few hundred bytes.
    return this.doc.save({ useObjectStreams: false });
  }
}

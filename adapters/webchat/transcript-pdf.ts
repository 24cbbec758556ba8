// A conversation's transcript as a PDF (pdf-lib, with the DejaVu fonts of adapters/pdf). Handed to the
// web chat by runtimes that can read font files (Node); without it the chat offers the text transcript.
import { PDFDocument, type PDFFont, rgb } from 'pdf-lib';
import { cachingFontkit, fontBytes } from '../pdf/fonts.js';
import type { TranscriptLine } from './transcript.js';

const PAGE: [number, number] = [612, 792];
const MARGIN = 54;

/** The transcript as a PDF (US Letter, DejaVu Sans so accents and symbols print), wrapped to the page. */
export async function renderTranscriptPdf(lines: readonly TranscriptLine[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(cachingFontkit);
  doc.setTitle('Conversation transcript');
  doc.setProducer('Support Assistant');
  const regular = await doc.embedFont(fontBytes('DejaVuSans.ttf'), { subset: true });
  const bold = await doc.embedFont(fontBytes('DejaVuSans-Bold.ttf'), { subset: true });
  let page = doc.addPage(PAGE);
  let y = PAGE[1] - MARGIN;
  const width = PAGE[0] - 2 * MARGIN;

  const draw = (text: string, font: PDFFont, size: number, indent: number, gray: number) => {
    for (const part of wrap(text, font, size, width - indent)) {
      if (y < MARGIN + size) {
        page = doc.addPage(PAGE);
        y = PAGE[1] - MARGIN;
      }
      y -= size * 1.35;
      page.drawText(part, { x: MARGIN + indent, y, size, font, color: rgb(gray, gray, gray) });
    }
  };

  for (const line of lines) {
    switch (line.kind) {
      case 'title':
        draw(line.text, bold, 15, 0, 0);
        y -= 4;
        break;
      case 'meta':
        draw(line.text, regular, 9, 0, 0.35);
        break;
      case 'speaker':
        y -= 7;
        draw(line.text, bold, 10, 0, 0);
        break;
      case 'body':
        draw(line.text, regular, 10, 12, 0);
        break;
      case 'detail':
        draw(line.text, regular, 9, 24, 0.25);
        break;
    }
  }
  return doc.save();
}

const charsets = new WeakMap<PDFFont, Set<number>>();

/** Splits text into lines that fit the width, at spaces where possible, else mid-word. */
function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  // Characters the font cannot draw (emoji, controls) would stop the whole document: they become "?".
  const known = charsets.get(font) ?? new Set(font.getCharacterSet());
  charsets.set(font, known);
  const clean = [...text].map((ch) => (known.has(ch.codePointAt(0) ?? 0) ? ch : '?')).join('');
  const words = clean.split(/(\s+)/);
  const out: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current + word;
    if (font.widthOfTextAtSize(candidate, size) <= maxWidth) {
      current = candidate;
      continue;
    }
    if (current.trim() !== '') out.push(current.trimEnd());
    current = word.trimStart();
    if (font.widthOfTextAtSize(current, size) <= maxWidth) continue;
    // A word wider than the line is cut where its characters' widths add up to the line, in one pass:
    // measuring every prefix took a minute for a 2,000-character word and held up the whole server.
    const pieces: string[] = [];
    let piece = '';
    let width = 0;
    for (const ch of current) {
      const w = font.widthOfTextAtSize(ch, size);
      if (piece !== '' && width + w > maxWidth) {
        pieces.push(piece);
        piece = '';
        width = 0;
      }
      piece += ch;
      width += w;
    }
    out.push(...pieces);
    current = piece;
  }
  if (current.trim() !== '' || out.length === 0) out.push(current.trimEnd());
  return out;
}

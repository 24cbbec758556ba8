// A conversation's transcript for the customer to keep: plain text, or the same lines laid out in a PDF.
import { DateTime } from 'luxon';
import { PDFDocument, type PDFFont, rgb } from 'pdf-lib';
import { cachingFontkit, fontBytes } from '../pdf/fonts.js';
import type { WireMessage } from './messages.js';

export interface TranscriptLine {
  readonly text: string;
  /** A speaker line (bold in the PDF) or a detail under it (indented). */
  readonly kind: 'title' | 'meta' | 'speaker' | 'body' | 'detail';
}

const SPEAKERS: Record<WireMessage['author'], string> = { user: 'You', bot: 'Assistant', agent: 'Support agent', system: 'Notice' };

/** The transcript's lines: a heading, then each message with its cards, buttons and attachments as text. */
export function transcriptLines(messages: readonly WireMessage[], info: { conversationId: string; timeZone: string; now: Date }): TranscriptLine[] {
  const when = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(info.timeZone).toFormat('yyyy-LL-dd HH:mm');
  const lines: TranscriptLine[] = [
    { kind: 'title', text: 'Support Assistant — conversation transcript' },
    { kind: 'meta', text: `Conversation ${info.conversationId}` },
    { kind: 'meta', text: `Exported ${when(info.now.toISOString())}; times in ${info.timeZone}` },
  ];
  const labels = new Map<string, string>();
  for (const message of messages) {
    const buttons = [...(message.quickReplies ?? []), ...(message.cards ?? []).flatMap((c) => c.actions ?? [])];
    const speaker = `[${when(message.createdAt)}] ${SPEAKERS[message.author] ?? message.author}`;
    if (message.action !== undefined) {
      lines.push({ kind: 'speaker', text: `${speaker} pressed “${labels.get(message.action) ?? message.action}”` });
    } else if (message.text !== '' || message.cards?.length || message.files?.length) {
      lines.push({ kind: 'speaker', text: `${speaker}:` });
      for (const paragraph of message.text.split('\n')) if (paragraph.trim() !== '') lines.push({ kind: 'body', text: paragraph });
    }
    for (const card of message.cards ?? []) {
      lines.push({ kind: 'detail', text: `▸ ${card.title}${card.subtitle ? ` — ${card.subtitle}` : ''}` });
      for (const field of card.fields ?? []) lines.push({ kind: 'detail', text: `  ${field.label}: ${field.value}` });
      if (card.table) {
        lines.push({ kind: 'detail', text: `  ${card.table.columns.join(' | ')}` });
        for (const row of card.table.rows) lines.push({ kind: 'detail', text: `  ${row.join(' | ')}` });
      }
    }
    if (buttons.length) lines.push({ kind: 'detail', text: `Options: ${buttons.map((b) => b.label).join(' · ')}` });
    for (const file of message.files ?? []) lines.push({ kind: 'detail', text: `Attachment: ${file.filename} (${formatBytes(file.bytes)})` });
    for (const button of buttons) labels.set(button.value, button.label);
  }
  return lines;
}

export function renderTranscriptText(lines: readonly TranscriptLine[]): string {
  const out: string[] = [];
  for (const line of lines) {
    if (line.kind === 'speaker') out.push('');
    out.push(line.kind === 'body' || line.kind === 'detail' ? `    ${line.text}` : line.text);
    if (line.kind === 'title') out.push('='.repeat(line.text.length));
  }
  return `${out.join('\n')}\n`;
}

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
    while (font.widthOfTextAtSize(current, size) > maxWidth && current.length > 1) {
      let cut = current.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(current.slice(0, cut), size) > maxWidth) cut--;
      out.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  if (current.trim() !== '' || out.length === 0) out.push(current.trimEnd());
  return out;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

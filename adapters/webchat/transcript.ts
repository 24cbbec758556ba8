// A conversation's transcript for the customer to keep: its lines, and those lines as plain text
// (transcript-pdf.ts lays the same lines out in a PDF).
import { DateTime } from 'luxon';
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

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

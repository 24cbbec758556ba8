// Files (report and invoice PDFs, CSVs) in Teams: in personal chat each is offered with a file consent card; when
// the person accepts, Teams gives an upload URL in their OneDrive and the bytes go there, then a file card is
// shown. The file itself is kept by the core beside the message that carried it, so the consent names only
// where it is (conversation, message, position), and an accept from another conversation finds nothing.
import { loadMessageFiles } from '../../src/conversation/file-store.js';
import type { ReplyFile } from '../../src/conversation/reply.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { OutgoingActivity } from './activity.js';

export const FILES_IN_PERSONAL_CHAT = 'Files are handed out in a personal chat with me: ask me there and I will offer the download.';

interface ConsentContext {
  readonly conversationId: string;
  readonly seq: number;
  readonly position: number;
}

/** The consent cards for a reply's files, stored as message `seq` of the conversation. */
export function fileConsentMessage(conversationId: string, seq: number, files: readonly ReplyFile[]): OutgoingActivity {
  return {
    type: 'message',
    attachments: files.map((file, position) => {
      const context: ConsentContext = { conversationId, seq, position };
      return {
        contentType: 'application/vnd.microsoft.teams.card.file.consent',
        name: file.filename,
        content: { description: file.description ?? file.filename, sizeInBytes: file.content.byteLength, acceptContext: context, declineContext: context },
      };
    }),
  };
}

export interface FileConsent {
  readonly action: 'accept' | 'decline';
  readonly context: ConsentContext;
  readonly uploadInfo?: { readonly uploadUrl: string; readonly contentUrl?: string; readonly name?: string; readonly uniqueId?: string; readonly fileType?: string };
}

export function readFileConsent(value: unknown): FileConsent | null {
  const v = value as { action?: unknown; context?: Partial<ConsentContext>; uploadInfo?: FileConsent['uploadInfo'] } | undefined;
  const c = v?.context;
  if ((v?.action !== 'accept' && v?.action !== 'decline') || typeof c?.conversationId !== 'string' || !Number.isInteger(c.seq) || !Number.isInteger(c.position)) return null;
  return { action: v.action, context: c as ConsentContext, ...(v.uploadInfo ? { uploadInfo: v.uploadInfo } : {}) };
}

/**
 * Uploads the accepted file to the URL Teams gave and returns the file card to show, or a sentence saying why
 * not. `conversationId` is the conversation the accept came from: a consent made for another one finds nothing.
 */
export async function uploadAcceptedFile(ctx: DomainContext, conversationId: string, consent: FileConsent, allowHttp: boolean): Promise<OutgoingActivity> {
  const upload = consent.uploadInfo;
  if (consent.context.conversationId !== conversationId || !upload?.uploadUrl) return { type: 'message', text: 'That file is no longer available here.' };
  if (!/^https:\/\//.test(upload.uploadUrl) && !(allowHttp && /^http:\/\//.test(upload.uploadUrl))) return { type: 'message', text: 'That upload address is not one I can use.' };
  const file = (await loadMessageFiles(ctx.db, conversationId, consent.context.seq))[consent.context.position];
  if (!file) return { type: 'message', text: 'That file is no longer available (files are kept for a limited time). Please ask again.' };
  const size = file.content.byteLength;
  const response = await fetch(upload.uploadUrl, {
    method: 'PUT',
    headers: { 'content-length': String(size), 'content-range': `bytes 0-${size - 1}/${size}` },
    body: file.content,
  });
  if (!response.ok) throw new Error(`the file upload answered ${response.status}`);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.card.file.info',
        contentUrl: upload.contentUrl ?? upload.uploadUrl,
        name: upload.name ?? file.filename,
        content: { uniqueId: upload.uniqueId ?? '', fileType: upload.fileType ?? file.filename.split('.').pop() ?? '' },
      },
    ],
  };
}

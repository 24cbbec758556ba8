// Answering in Slack: the engine's reply as Block Kit in a DM or thread ("Working on it…" first when slow,
// replaced in place), privately through response_url, and outside a request (the core's outbound deliverer).
import type { App, RespondFn } from '@slack/bolt';
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { Reply, ReplyFile } from '../../src/conversation/reply.js';
import type { StaffActor } from '../../src/domain/actor.js';
import { renderBlockKit, SLACK_LIMITS, type SlackMessage } from './block-kit.js';
import { conversationIdFor, type Place, placeFor } from './places.js';

export const WORKING = 'Working on it…';
const FAILED = 'Sorry — something went wrong while I was working on that. Please try again in a moment.';
const FILES_SENT_PRIVATELY = 'I’ve sent the file to you in a direct message.';

type Answer = SlackMessage & { files: readonly ReplyFile[] };

/** Answers a staff member's message or button press in their conversation, through the engine. */
export interface Answerer {
  answerInPlace(
    client: WebClient,
    actor: StaffActor,
    place: Place,
    input: { text?: string; action?: string; messageId?: string },
  ): Promise<void>;
  answerPrivately(
    client: WebClient,
    respond: RespondFn,
    actor: StaffActor,
    user: string,
    conversationId: string,
    input: { text?: string; action?: string },
    replaceOriginal: boolean,
  ): Promise<void>;
}

export function createAnswerer(engine: ConversationEngine, progressAfterMs: number): Answerer {
  async function converse(
    actor: StaffActor,
    conversationId: string,
    input: { text?: string; action?: string; messageId?: string },
    maxBlocks?: number,
  ): Promise<Answer> {
    const reply: Reply = await engine.handleMessage({ channel: 'slack', conversationId, ...input }, actor);
    return {
      ...renderBlockKit(reply, { conversationId, ...(maxBlocks ? { maxBlocks } : {}) }),
      files: reply.files ?? [],
    };
  }

  /**
   * Answers one person privately through response_url (a slash command, an ephemeral message's button):
   * files go to their DM with the app, never into the channel; a failure replaces "Working on it…" too.
   */
  async function answerPrivately(
    client: WebClient,
    respond: RespondFn,
    actor: StaffActor,
    user: string,
    conversationId: string,
    input: { text?: string; action?: string },
    replaceOriginal: boolean,
  ): Promise<void> {
    let answer: Answer;
    try {
      // One block is kept free for the note about files sent by DM.
      answer = await converse(actor, conversationId, input, SLACK_LIMITS.blocks - 1);
    } catch (error) {
      await respond({ response_type: 'ephemeral', replace_original: replaceOriginal, text: FAILED });
      throw error;
    }
    const { files, ...message } = answer;
    if (files.length > 0) await upload(client, await directChannel(client, user), undefined, files);
    const note = { type: 'context', elements: [{ type: 'mrkdwn', text: FILES_SENT_PRIVATELY }] };
    await respond({
      response_type: 'ephemeral',
      replace_original: replaceOriginal,
      text: message.text,
      blocks: (files.length > 0 ? [...message.blocks, note] : message.blocks) as unknown as KnownBlock[],
    });
  }

  /**
   * Answers in a DM or thread. A slow answer (a report, a PDF) first shows "Working on it…", which is then
   * replaced in place by the answer; files follow in the same place.
   */
  async function answerInPlace(
    client: WebClient,
    actor: StaffActor,
    place: Place,
    input: { text?: string; action?: string; messageId?: string },
  ) {
    const work = converse(actor, conversationIdFor(place), input);
    work.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    // 0 (or less) means always: the progress message is posted first whatever the answer's speed.
    const slow =
      progressAfterMs <= 0 || (await Promise.race([work.then(() => false), sleep(progressAfterMs).then(() => true)]));
    const progressTs = slow
      ? await post(client, place, {
          text: WORKING,
          blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${WORKING}` }] }],
        })
      : undefined;
    let answer: Answer;
    try {
      answer = await work;
    } catch (error) {
      // Never leave "Working on it…" standing: say it failed, in the same message.
      if (progressTs) {
        await client.chat.update({
          channel: place.channel,
          ts: progressTs,
          text: FAILED,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: FAILED } }],
        });
      }
      throw error;
    }
    if (progressTs) {
      await client.chat.update({
        channel: place.channel,
        ts: progressTs,
        text: answer.text,
        blocks: answer.blocks as unknown as KnownBlock[],
      });
    } else {
      await post(client, place, answer);
    }
    await upload(client, place.channel, place.threadTs, answer.files);
  }

  return { answerInPlace, answerPrivately };
}

/** Uploads files into a channel with the current flow: files.getUploadURLExternal, the upload, files.completeUploadExternal. */
export async function upload(
  client: WebClient,
  channel: string,
  threadTs: string | undefined,
  files: readonly ReplyFile[],
): Promise<void> {
  if (files.length === 0) return;
  await client.filesUploadV2({
    channel_id: channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    file_uploads: files.map((file) => ({
      file: Buffer.from(file.content),
      filename: file.filename,
      title: file.description ?? file.filename,
    })),
  } as Parameters<WebClient['filesUploadV2']>[0]);
}

/** The person's DM with the app, for anything private that is not a plain message (files). */
export async function directChannel(client: WebClient, user: string): Promise<string> {
  const opened = await client.conversations.open({ users: user });
  return opened.channel?.id ?? user;
}

export async function post(
  client: WebClient,
  place: { channel: string; threadTs?: string },
  message: SlackMessage,
): Promise<string | undefined> {
  const posted = await client.chat.postMessage({
    channel: place.channel,
    text: message.text,
    blocks: message.blocks as unknown as KnownBlock[],
    ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
  });
  return posted.ts;
}

/** A message outside a request (an agent's reply, a scheduled report): into the conversation's DM or thread. */
export function createSlackDeliverer(app: App): ChannelDeliverer {
  return {
    channel: 'slack',
    async deliver(target, reply) {
      const place = placeFor(target.conversationId);
      if (!place) return { kind: 'failed', reason: 'not a Slack conversation', retry: false };
      try {
        const client = app.client;
        // A slash command's conversation has no thread of its own: the person's DM with the app.
        const where = place.viaResponseUrl
          ? { channel: await directChannel(client, place.user) }
          : { channel: place.channel, ...(place.threadTs ? { threadTs: place.threadTs } : {}) };
        await post(client, where, renderBlockKit(reply, { conversationId: target.conversationId }));
        await upload(client, where.channel, 'threadTs' in where ? where.threadTs : undefined, reply.files ?? []);
        return { kind: 'delivered' };
      } catch (error) {
        // Slack's own answers say whether trying again can help: a revoked token or a closed channel cannot.
        const code = (error as { data?: { error?: string } }).data?.error;
        const final =
          code !== undefined &&
          [
            'channel_not_found',
            'is_archived',
            'account_inactive',
            'invalid_auth',
            'not_in_channel',
            'user_not_found',
            'token_revoked',
          ].includes(code);
        return {
          kind: 'failed',
          reason: code ?? (error instanceof Error ? error.message : String(error)),
          retry: !final,
        };
      }
    },
  };
}

/**
 * A RespondFn for a response_url that waits out a 429's Retry-After (three tries in all), as the Web API
 * client does for its calls; Bolt's own respond() gives up at the first 429.
 */
export function responder(responseUrl: string | undefined): RespondFn | undefined {
  if (!responseUrl) return undefined;
  return async (message) => {
    const body = JSON.stringify(typeof message === 'string' ? { text: message } : message);
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (response.ok) return response;
      if (response.status !== 429 || attempt >= 3) throw new Error(`response_url answered ${response.status}`);
      await sleep(Math.min(Number(response.headers.get('retry-after')) || 1, 30) * 1000);
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

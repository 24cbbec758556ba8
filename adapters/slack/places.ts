// Where a Slack conversation lives (a DM, a thread per person, a slash command's private answers) and its id.

/** Where a conversation's replies go: a DM, a thread in a channel, or (slash command) the person privately. */
export type Place = { team: string; channel: string; threadTs?: string; user: string };

/** Conversation ids: `slack:T:D:d:U` (DM), `slack:T:C:t:TS:U` (a thread, per person), `slack:T:C:u:U` (slash command). */
export function conversationIdFor(place: Place): string {
  return place.threadTs
    ? `slack:${place.team}:${place.channel}:t:${place.threadTs}:${place.user}`
    : `slack:${place.team}:${place.channel}:d:${place.user}`;
}

/** Where a conversation id's replies go (the inverse of conversationIdFor, plus slash commands' `u` ids); null if not Slack's. */
export function placeFor(conversationId: string): (Place & { viaResponseUrl: boolean }) | null {
  const parts = conversationId.split(':');
  if (parts[0] !== 'slack') return null;
  const [, team = '', channel = '', kind, a = '', b = ''] = parts;
  if (kind === 't') return { team, channel, threadTs: a, user: b, viaResponseUrl: false };
  if (kind === 'd') return { team, channel, user: a, viaResponseUrl: false };
  if (kind === 'u') return { team, channel, user: a, viaResponseUrl: true };
  return null;
}

/** The conversation a button's block belongs to (block ids are `conversationId|…`, see block-kit.ts). */
export function conversationIdFromBlockId(blockId: string | undefined): string | null {
  const id = (blockId ?? '').split('|')[0] ?? '';
  return id.startsWith('slack:') && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : null;
}

/** A Slack id as Slack writes them (team, user, channel): letters and digits only. */
export function idPart(value: string): boolean {
  return /^[A-Za-z0-9]{1,40}$/.test(value);
}

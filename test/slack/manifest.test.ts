// The app manifest a workspace admin creates the app from must declare everything the code relies on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TICKET_SHORTCUT } from '../../adapters/slack/views.js';

const manifest = JSON.parse(readFileSync(new URL('../../adapters/slack/manifest.json', import.meta.url), 'utf8'));

describe('Slack app manifest', () => {
  it('points events, the command, interactivity and options at one URL', () => {
    const url = manifest.settings.event_subscriptions.request_url;
    expect(url).toMatch(/^https:\/\/.+\/slack\/events$/);
    expect(manifest.features.slash_commands.map((c: { command: string; url: string }) => [c.command, c.url])).toEqual([
      ['/support', url],
    ]);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: url,
      message_menu_options_url: url,
    });
  });

  it('subscribes to the events, and declares the shortcut and App Home the app handles', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      'app_home_opened',
      'app_mention',
      'message.im',
    ]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'message', callback_id: TICKET_SHORTCUT }),
    ]);
  });

  it('asks for the scopes the Web API calls need, and no more', () => {
    // chat.postMessage/postEphemeral/update, files.*UploadExternal, conversations.open (DM for private files),
    // the command, and reading DMs and mentions.
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'app_mentions:read',
      'chat:write',
      'commands',
      'files:write',
      'im:history',
      'im:write',
    ]);
  });
});

// Slash commands: /support <anything>, answered privately where it was typed; any other command gets help.
import type { App } from '@slack/bolt';
import type { DomainContext } from '../../src/domain/context.js';
import { type Answerer, responder, WORKING } from './answer.js';
import { REFUSAL, staffFor } from './staff.js';

export const COMMAND_HELP = [
  'Ask me anything about a customer, in your own words. For example:',
  '• `/support balance 1002345`',
  '• `/support tickets acme`',
  '• `/support outages toronto`',
].join('\n');

export function registerCommandListeners(app: App, ctx: DomainContext, answerer: Answerer): void {
  // /support <anything>: answered privately (ephemeral) where it was typed.
  app.command('/support', async ({ command, ack, client }) => {
    const actor = await staffFor(ctx, command.team_id, command.user_id);
    if (!actor) {
      await ack({ response_type: 'ephemeral', text: REFUSAL });
      return;
    }
    const text = command.text.trim();
    if (text === '' || text.toLowerCase() === 'help') {
      await ack({ response_type: 'ephemeral', text: COMMAND_HELP });
      return;
    }
    await ack({ response_type: 'ephemeral', text: WORKING });
    const conversationId = `slack:${command.team_id}:${command.channel_id}:u:${command.user_id}`;
    const respond = responder(command.response_url);
    if (respond)
      await answerer.answerPrivately(client, respond, actor, command.user_id, conversationId, { text }, true);
  });

  // Any other command pointed at this app: help.
  app.command(/^\/(?!support$)/, async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: `I only know \`/support\`. ${COMMAND_HELP}` });
  });
}

// Everything botbuilder-specific, in one file: a CloudAdapter fed from a Hono request through a small
// request/response shim, replies and card updates through the turn, and proactive sends. botbuilder is archived
// upstream; its successor (@microsoft/agents-hosting) can replace this file behind the same BotHost interface.
import {
  type Activity,
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type Response as BotResponse,
  TurnContext,
} from 'botbuilder';
import type { TeamsConfig } from '../../src/config.js';
import type { InvokeResult, OutgoingActivity, TeamsActivity, TeamsTurn } from './activity.js';

export interface BotHost {
  /** Whether incoming requests are authenticated (an app id is configured). */
  readonly authenticated: boolean;
  /** Runs one POST /api/messages: authenticates it (when an app id is set) and hands the activity to `onTurn`. */
  handle(request: Request, onTurn: (turn: TeamsTurn) => Promise<InvokeResult | undefined>): Promise<Response>;
  /** Sends into a stored conversation (a reference saved from an earlier turn), outside a request. */
  continueConversation(reference: Record<string, unknown>, send: (turn: TeamsTurn) => Promise<void>): Promise<void>;
}

export function createBotHost(config: TeamsConfig, log: { error(details: object, message: string): void }): BotHost {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.appId ?? '',
    MicrosoftAppPassword: config.appPassword ?? '',
    MicrosoftAppTenantId: config.appTenantId ?? '',
    MicrosoftAppType: config.appType,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (_context, error) => {
    log.error({ err: error }, 'teams: turn failed');
  };

  function turnOf(context: TurnContext): TeamsTurn {
    return {
      activity: context.activity as unknown as TeamsActivity,
      async send(activity: OutgoingActivity) {
        const sent = await context.sendActivity(activity as Partial<Activity>);
        return sent?.id;
      },
      async update(id: string, activity: OutgoingActivity) {
        await context.updateActivity({ ...(activity as Partial<Activity>), id });
      },
      reference: () => TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>,
    };
  }

  return {
    authenticated: Boolean(config.appId),
    async handle(request, onTurn) {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return new Response('the body is not JSON', { status: 400 });
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return new Response('the body is not an activity', { status: 400 });
      const shim = responseShim();
      let ran = false;
      await adapter.process(
        { method: 'POST', body: body as Record<string, unknown>, headers: Object.fromEntries(request.headers) },
        shim.response,
        async (context) => {
          ran = true;
          const result = await onTurn(turnOf(context));
          if (result && context.activity.type === ActivityTypes.Invoke) {
            await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: result.status, body: result.body } });
          }
        },
      );
      const response = shim.result();
      // Failing before the turn ran is the token check: unverifiable now (signing keys unreachable), not our bug.
      if (!ran && response.status >= 500) return new Response('the Bot Framework token could not be verified now', { status: 503 });
      return response;
    },
    async continueConversation(reference, send) {
      await adapter.continueConversationAsync(config.appId ?? '', reference as Partial<ConversationReference>, async (context) => {
        await send(turnOf(context));
      });
    },
  };
}

/** The Express-like response CloudAdapter.process writes to, collected into a web Response. */
function responseShim(): { response: BotResponse; result(): Response } {
  let status = 200;
  const headers = new Headers();
  let body: string | undefined;
  const response: BotResponse = {
    socket: undefined,
    status(code: unknown) {
      status = Number(code);
      return response;
    },
    header(name: unknown, value: unknown) {
      headers.set(String(name), String(value));
      return response;
    },
    send(content: unknown) {
      if (content === undefined || content === null) return response;
      if (typeof content === 'string') body = content;
      else {
        body = JSON.stringify(content);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      return response;
    },
    end() {
      return response;
    },
  };
  return { response, result: () => new Response(status === 204 ? null : (body ?? null), { status, headers }) };
}

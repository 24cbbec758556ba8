// The OpenAPI description of the Slack app's one route, merged into the service's /openapi.json.

export const SLACK_OPENAPI_PATHS = {
  '/slack/events': {
    post: {
      summary: 'The Slack app: Events API callbacks, the /support slash command, interactivity and options',
      description: [
        'Called by Slack only (request URL of the app manifest, adapters/slack/manifest.json). Every request must carry',
        '`X-Slack-Signature` (v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret) and',
        '`X-Slack-Request-Timestamp` within 5 minutes. Events arrive as JSON (url_verification, event_callback);',
        'slash commands as form fields; interactions (block_actions, view_submission, message_action, block_suggestion)',
        'as a form field `payload` holding JSON. Acknowledged within 3 seconds; the answer is posted through the Web API.',
      ].join(' '),
      parameters: [
        {
          name: 'X-Slack-Signature',
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^v0=[0-9a-f]{64}$' },
        },
        {
          name: 'X-Slack-Request-Timestamp',
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        {
          name: 'X-Slack-Retry-Num',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Set on a re-delivery; an event is handled once.',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type'],
              properties: { type: { enum: ['url_verification', 'event_callback'] } },
            },
          },
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: { payload: { type: 'string' }, command: { type: 'string' }, text: { type: 'string' } },
            },
          },
        },
      },
      responses: {
        '200': {
          description:
            'Acknowledged: empty, the url_verification challenge, an ephemeral message, modal errors or menu options',
        },
        '400': {
          description: 'Malformed or oversized (over 256 KB)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        '401': {
          description: 'Unsigned, stale or tampered',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  },
} as const;

// The web chat's part of the OpenAPI 3.1 document: every route it serves, with its bodies and answers.

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const bearer = [{ chatSession: [] }];

export const webChatComponents = {
  securitySchemes: {
    chatSession: {
      type: 'http',
      scheme: 'bearer',
      description: 'The token from POST /chat/sessions (or the new one from POST /chat/sign-in). 256 random bits; stored only as a hash.',
    },
  },
  schemas: {
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string', description: 'Plain words, fit to show a person.' } },
        },
      },
    },
    Session: {
      type: 'object',
      required: ['token', 'conversationId', 'signedIn', 'expiresAt', 'idleTimeoutSeconds', 'lastSeq', 'maxMessageBytes'],
      properties: {
        token: { type: 'string', description: 'Send as `Authorization: Bearer <token>`; keep it like a password.' },
        conversationId: { type: 'string' },
        signedIn: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: ['via', 'label'],
              properties: { via: { enum: ['portal', 'pin'] }, label: { type: 'string' }, account: { type: 'string' } },
            },
          ],
        },
        expiresAt: { type: 'string', format: 'date-time', description: 'The absolute end of the session.' },
        idleTimeoutSeconds: { type: 'integer', description: 'The session ends after this long without activity.' },
        lastSeq: { type: 'integer', description: 'The seq of the conversation’s latest message (0 when empty).' },
        maxMessageBytes: { type: 'integer', const: 4096 },
        notice: { type: 'string', description: 'Why a portal token given was not accepted (the session is then anonymous).' },
      },
    },
    Action: {
      type: 'object',
      required: ['label', 'value'],
      properties: { label: { type: 'string' }, value: { type: 'string', description: 'Send back as `action` when pressed.' }, style: { enum: ['primary', 'danger'] } },
    },
    Card: {
      type: 'object',
      required: ['title'],
      properties: {
        title: { type: 'string' },
        subtitle: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', required: ['label', 'value'], properties: { label: { type: 'string' }, value: { type: 'string' } } } },
        table: {
          type: 'object',
          required: ['columns', 'rows'],
          properties: { columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'array', items: { type: 'string' } } } },
        },
        actions: { type: 'array', items: ref('Action') },
      },
    },
    File: {
      type: 'object',
      required: ['id', 'filename', 'mediaType', 'bytes', 'url', 'expiresAt'],
      properties: {
        id: { type: 'string' },
        filename: { type: 'string' },
        mediaType: { enum: ['application/pdf', 'text/csv'] },
        bytes: { type: 'integer' },
        url: { type: 'string', description: 'Signed and expiring; GET it with the same session’s bearer token.' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
    Message: {
      type: 'object',
      required: ['seq', 'direction', 'author', 'text', 'createdAt'],
      properties: {
        seq: { type: 'integer', description: 'Per conversation: 1, 2, 3… Resume from the last one seen.' },
        direction: { enum: ['in', 'out'] },
        author: { enum: ['user', 'bot', 'agent', 'system'] },
        text: { type: 'string', description: 'Plain text; show it as text, never as HTML.' },
        createdAt: { type: 'string', format: 'date-time' },
        action: { type: 'string', description: 'For a button press: the value pressed.' },
        cards: { type: 'array', items: ref('Card') },
        quickReplies: { type: 'array', items: ref('Action') },
        files: { type: 'array', items: ref('File') },
        handoff: { type: 'object', properties: { status: { enum: ['waiting', 'active'] } } },
        event: { type: 'string', description: 'A notice from the channel: signed_in, agent_joined, agent_left.' },
      },
    },
  },
} as const;

export function webChatOpenApiPaths(webSockets: boolean): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/widget.js': {
      get: {
        summary: 'The embeddable chat widget',
        description: 'Embed with `<script src="https://HOST/widget.js" async></script>`; see the README for its data- attributes.',
        responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } },
      },
    },
    '/chat/sessions': {
      post: {
        summary: 'Start a chat session, or resume one',
        description:
          'With a live session’s bearer token, answers that session (200). Otherwise starts an anonymous session with a new conversation (201); a valid `portalToken` signs it in as that portal user.',
        security: [{}, { chatSession: [] }],
        requestBody: {
          required: false,
          content: json({ type: 'object', properties: { portalToken: { type: 'string', description: 'A portal session token (see README).' } }, additionalProperties: false }),
        },
        responses: {
          '200': { description: 'The session resumed', content: json(ref('Session')) },
          '201': { description: 'A new session', content: json(ref('Session')) },
          '400': error('The body is not valid'),
        },
      },
    },
    '/chat/sign-in': {
      post: {
        summary: 'Sign in with an account number and PIN, or a portal session token',
        description:
          'Replaces the session token (the old one stops working, and its sockets close with code 4001). Five failed PINs in a row lock the account for 15 minutes; the refusal never says whether the account number exists. Counts against the session’s message rate limit.',
        security: bearer,
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              { type: 'object', required: ['accountNumber', 'pin'], properties: { accountNumber: { type: 'string' }, pin: { type: 'string' } }, additionalProperties: false },
              { type: 'object', required: ['portalToken'], properties: { portalToken: { type: 'string' } }, additionalProperties: false },
            ],
          }),
        },
        responses: {
          '200': { description: 'Signed in: the new session', content: json(ref('Session')) },
          '400': error('Not digits, or a malformed body'),
          '401': error('The credentials do not match (or no session)'),
          '429': error('Too many attempts from this session'),
        },
      },
    },
    '/chat/sign-out': {
      post: {
        summary: 'End the session',
        security: bearer,
        responses: { '200': { description: 'Ended', content: json({ type: 'object', properties: { ended: { const: true } } }) }, '401': error('No session') },
      },
    },
    '/chat/messages': {
      get: {
        summary: 'The conversation’s messages after a seq',
        security: bearer,
        parameters: [{ name: 'after', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } }],
        responses: {
          '200': {
            description: 'Up to 200 messages, oldest first',
            content: json({
              type: 'object',
              required: ['messages', 'lastSeq', 'more'],
              properties: { messages: { type: 'array', items: ref('Message') }, lastSeq: { type: 'integer' }, more: { type: 'boolean' } },
            }),
          },
          '401': error('No session'),
        },
      },
      post: {
        summary: 'Send a message or press a button',
        description:
          'Text of at most 4 KB (4096 UTF-8 bytes), or the `value` of a button as `action`. Answers with the messages of the turn (yours and the reply); followers on /chat/ws and /chat/events receive them too. At most 20 messages per 10 seconds per session (configurable).',
        security: bearer,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: { text: { type: 'string' }, action: { type: 'string' }, timeZone: { type: 'string', description: 'The visitor’s IANA time zone.' } },
            additionalProperties: false,
          }),
        },
        responses: {
          '200': {
            description: 'The turn’s messages',
            content: json({ type: 'object', required: ['messages'], properties: { messages: { type: 'array', items: ref('Message') }, notice: { type: 'string' } } }),
          },
          '400': error('Neither or both of text and action, or not JSON'),
          '401': error('No session'),
          '413': error('Over 4 KB'),
          '429': error('Too many messages; see Retry-After'),
        },
      },
    },
    '/chat/events': {
      get: {
        summary: 'Server-sent events: the conversation as it happens (the fallback for WebSocket)',
        description:
          'Events: `ready` (the session), `message` (id: its seq; data: {"type":"message","message":Message}), `typing` ({"on":true|false}), `session_ended`. Resumes after `Last-Event-ID` or `after`.',
        security: bearer,
        parameters: [
          { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '401': error('No session') },
      },
    },
    '/chat/files/{id}': {
      get: {
        summary: 'Download a file sent in the conversation',
        description: 'Needs the signed link’s `exp` and `sig` and the bearer token of a session of the same conversation.',
        security: bearer,
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'exp', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'sig', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The file', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string' } } } },
          '401': error('No session'),
          '403': error('The link is expired or its signature is wrong'),
          '404': error('No such file in this session’s conversation'),
        },
      },
    },
    '/chat/transcript': {
      get: {
        summary: 'Download the conversation’s transcript',
        security: bearer,
        parameters: [
          { name: 'format', in: 'query', schema: { enum: ['text', 'pdf'], default: 'text' } },
          { name: 'timeZone', in: 'query', schema: { type: 'string', default: 'UTC' } },
        ],
        responses: {
          '200': { description: 'The transcript', content: { 'text/plain': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
          '400': error('Unknown format'),
          '401': error('No session'),
          '404': error('PDF asked where the runtime cannot make PDFs'),
        },
      },
    },
  };
  if (webSockets) {
    paths['/chat/ws'] = {
      get: {
        summary: 'The conversation over a WebSocket',
        description: [
          'Upgrade with an `Origin` the service allows (its own host, or WEBCHAT_ALLOWED_ORIGINS); others get 403.',
          'Client frames (JSON text): {"type":"hello","token":"…","after":LAST_SEQ} first (within 10 s), then {"type":"message","text":"…"}, {"type":"action","value":"…"}, {"type":"ping"}.',
          'Server frames: {"type":"ready","session":…}, {"type":"message","message":Message}, {"type":"typing","on":…}, {"type":"error","code":…,"message":…} (too_large, rate_limited: the socket stays open), {"type":"session_ended"}, {"type":"pong"}.',
          'After hello, every message with a seq above `after` is sent once, in order. A binary, non-JSON or unknown frame closes that socket only (1003/1007); frames over 64 KB close it with 1009; an ended or replaced session closes it with 4001.',
        ].join(' '),
        responses: {
          '101': { description: 'Switching to the WebSocket protocol' },
          '403': error('Origin not allowed'),
          '426': error('Not a WebSocket upgrade request'),
        },
      },
    };
  }
  return paths;
}

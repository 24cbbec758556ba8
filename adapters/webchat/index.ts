// The web chat channel's public surface: the routes (createWebChat), the widget asset, portal tokens.
export { mintPortalSessionToken, type PortalSessionClaims, verifyPortalSessionToken } from './portal-token.js';
export { createWebChat, MAX_MESSAGE_BYTES, type UpgradeToWebSocket, type WebChat, type WebChatEngine, type WebChatOptions } from './web-chat.js';
export type { WireMessage } from './messages.js';

// partysocket's React hook (a reconnecting WebSocket).
export { default as usePartySocket } from 'partysocket/react';

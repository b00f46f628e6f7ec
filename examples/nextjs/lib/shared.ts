/** Channels and payloads shared by the pages and the server. */
// Channel names portable across every transport: Pusher allows only letters, digits and _ - = @ , . ;
export const CHAT_ROOM = 'chat-lobby';
export const PRESENCE_ROOM = 'presence-lobby';
export const METRICS_CHANNEL = 'metrics';

export interface ChatMessage {
  id: string;
  text: string;
  author: string;
  at: number;
}

export interface Notification {
  id: string;
  title: string;
  at: number;
}

export interface Metrics {
  cpu: number;
  rps: number;
  p99: number;
  at: number;
}

export interface Visitor {
  name: string;
  color: string;
  cursor: { x: number; y: number } | null;
}

/** The channel → event → payload schema of the app: every hook is typed by it. */
export type Schema = {
  [CHAT_ROOM]: { message: Omit<ChatMessage, 'id' | 'at'> };
  [PRESENCE_ROOM]: { $presence: Visitor };
  [METRICS_CHANNEL]: { sample: Metrics };
};

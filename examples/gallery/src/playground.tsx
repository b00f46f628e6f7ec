import { ACCEPT, blackHole, createFakeTransport, refuse, refuseHttp, type FakeServer, type FakeTransport } from '@switchboard/core/testing';
import { RealtimeProvider, createClient, type ClientOptions, type RealtimeClient } from '@switchboard/react';
import { useEffect, useState, type ReactNode } from 'react';
import './style.css';

export interface Playground {
  client: RealtimeClient;
  transport: FakeTransport;
  server: FakeServer;
}

/**
 * A client on the core's fake transport: an in-memory server, real timers — every behaviour visible
 * without a backend. Made once per story, destroyed when the story unmounts.
 */
export function usePlayground(options: Partial<ClientOptions> = {}, setup?: (p: Playground) => void): Playground {
  const [playground] = useState(() => {
    const transport = createFakeTransport({ memberId: 'you' });
    const client = createClient({ backoff: { baseMs: 500, capMs: 5000 }, ...options, transport });
    const created = { client, transport, server: transport.server };
    setup?.(created);
    return created;
  });
  useEffect(() => () => playground.client.destroy(), [playground]);
  return playground;
}

/** Buttons that make the server misbehave. */
export function Controls({ p, flood }: { p: Playground; flood?: string }) {
  const [manualAcks, setManualAcks] = useState(false);
  const button = (label: string, run: () => void) => (
    <button type="button" onClick={run}>
      {label}
    </button>
  );
  return (
    <fieldset className="controls">
      <legend>server</legend>
      {button('drop the connection', () => p.server.drop())}
      {button('refuse the next 3 attempts', () => (p.transport.script(refuse(1006), refuse(1006), refuse(1006), ACCEPT), p.server.drop()))}
      {button('refuse auth (401)', () => (p.transport.script(refuseHttp(401)), p.server.drop()))}
      {button('black-hole the connection', () => (p.transport.script(blackHole(), ACCEPT), p.server.drop()))}
      {button('accept again', () => p.transport.script(ACCEPT))}
      {button('client.reconnect()', () => p.client.reconnect())}
      <label>
        <input
          type="checkbox"
          checked={manualAcks}
          onChange={(e) => {
            setManualAcks(e.target.checked);
            p.server.ackMode = e.target.checked ? 'manual' : 'auto';
          }}
        />{' '}
        delay acks
      </label>
      {button('ack all', () => [...p.server.pendingAcks].forEach((id) => p.server.ack(id)))}
      {button('nack all', () => [...p.server.pendingAcks].forEach((id) => p.server.nack(id)))}
      {flood && button('flood 1,000 messages', () => Array.from({ length: 1000 }, (_, i) => p.server.publish(flood, 'tick', { i })))}
    </fieldset>
  );
}

export function Stage({ p, children, flood }: { p: Playground; children: ReactNode; flood?: string }) {
  return (
    <RealtimeProvider client={p.client}>
      <div className="stage">
        <div className="story">{children}</div>
        <Controls p={p} {...(flood ? { flood } : {})} />
      </div>
    </RealtimeProvider>
  );
}

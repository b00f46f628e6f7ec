import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorInfo, mintAblyToken, tokenRequestMac, type TokenGrant, type TokenRequestBody } from './ably-protocol.js';

const DEFAULT_TTL_MS = 60 * 60_000;

/**
 * The peer's HTTP side: Ably's REST `POST /keys/<keyName>/requestToken` (exchanges a signed
 * TokenRequest for TokenDetails, as ably-js does when an `authUrl` answers a TokenRequest), and the
 * connectivity check ably-js makes when a connection attempt is slow (pointed at the peer in tests).
 */
export function httpHandler(apiKey: string, secret: string): (request: IncomingMessage, response: ServerResponse) => void {
  const [keyName, keySecret] = apiKey.split(':') as [string, string];
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://peer').pathname;
    if (path === '/is-the-internet-up.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('yes\n');
      return;
    }
    const match = /^\/keys\/([^/]+)\/requestToken$/.exec(path);
    if (!match || request.method !== 'POST') {
      response.writeHead(404).end();
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const reply = (status: number, json: object) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      const refuse = (message: string) => reply(401, { error: errorInfo(40101, 401, message) });
      let tokenRequest: TokenRequestBody;
      try {
        tokenRequest = JSON.parse(body) as TokenRequestBody;
      } catch {
        return refuse('The TokenRequest is not JSON');
      }
      if (decodeURIComponent(match[1] ?? '') !== keyName || tokenRequest.keyName !== keyName || tokenRequest.mac !== tokenRequestMac(tokenRequest, keySecret)) {
        return refuse('Invalid TokenRequest (unknown key or bad mac)');
      }
      let capability: Record<string, string[]> = { '*': ['*'] };
      try {
        if (typeof tokenRequest.capability === 'string') capability = JSON.parse(tokenRequest.capability) as Record<string, string[]>;
      } catch {
        return refuse('The TokenRequest capability is not JSON');
      }
      const ttl = typeof tokenRequest.ttl === 'number' ? tokenRequest.ttl : DEFAULT_TTL_MS;
      const clientId = typeof tokenRequest.clientId === 'string' ? tokenRequest.clientId : undefined;
      const issued = Date.now();
      const grant: TokenGrant = { expires: issued + ttl, capability, ...(clientId ? { clientId } : {}) };
      reply(200, { token: mintAblyToken(grant, secret), keyName, issued, expires: issued + ttl, capability: JSON.stringify(capability), ...(clientId ? { clientId } : {}) });
    });
  };
}

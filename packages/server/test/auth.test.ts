import { describe, expect, it } from 'vitest';
import {
  authorizeChannel,
  createAuthHandler,
  createSessionId,
  isValidSessionId,
  presenceUserId,
  safeEqual,
  signChannel,
  verifyChannelAuth,
} from '../src/index.js';

// Pusher's worked examples (pusher.com/docs/channels/library_auth_reference/auth-signatures), also
// used by its server libraries' own tests.
const PUSHER = { key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const SOCKET = '1234.1234';

describe('channel signatures (the Pusher scheme)', () => {
  it('matches the published private-channel vector', () => {
    expect(signChannel(PUSHER.secret, SOCKET, 'private-foobar')).toBe('58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4');
    expect(authorizeChannel(PUSHER, SOCKET, 'private-foobar')).toEqual({
      auth: '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
    });
  });

  it('matches the published presence-channel vector (channel data signed too)', () => {
    const channelData = '{"user_id":10,"user_info":{"name":"Mr. Pusher"}}';
    expect(signChannel(PUSHER.secret, SOCKET, 'presence-foobar', channelData)).toBe('afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c');
    expect(authorizeChannel(PUSHER, SOCKET, 'presence-foobar', { userId: 10, userInfo: { name: 'Mr. Pusher' } })).toEqual({
      auth: '278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c',
      channel_data: channelData,
    });
  });

  it('verifies good signatures and refuses anything else', () => {
    const { auth } = authorizeChannel(PUSHER, SOCKET, 'private-foobar');
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', auth)).toBe(true);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', auth.split(':')[1])).toBe(true); // bare signature
    expect(verifyChannelAuth(PUSHER, '1234.1235', 'private-foobar', auth)).toBe(false); // other session
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-other', auth)).toBe(false); // other channel
    expect(verifyChannelAuth({ ...PUSHER, key: 'another-key' }, SOCKET, 'private-foobar', auth)).toBe(false);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', `${PUSHER.key}:${'0'.repeat(64)}`)).toBe(false);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', `${PUSHER.key}:short`)).toBe(false);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', undefined)).toBe(false);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'private-foobar', 'x'.repeat(1000))).toBe(false);
    // presence: the channel data is part of what is signed
    const presence = authorizeChannel(PUSHER, SOCKET, 'presence-room', { userId: 'u1' });
    expect(verifyChannelAuth(PUSHER, SOCKET, 'presence-room', presence.auth, presence.channel_data)).toBe(true);
    expect(verifyChannelAuth(PUSHER, SOCKET, 'presence-room', presence.auth, '{"user_id":"u2"}')).toBe(false);
  });

  it('compares in constant time without throwing on different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('reads the member id from channel data', () => {
    expect(presenceUserId('{"user_id":10}')).toBe('10');
    expect(presenceUserId('{"user_id":"ann"}')).toBe('ann');
    expect(presenceUserId('{"user_info":{}}')).toBeNull();
    expect(presenceUserId('not json')).toBeNull();
    expect(presenceUserId(undefined)).toBeNull();
  });
});

describe('session ids', () => {
  it('are signed with a secret, so a stateless handler can trust one a client brings back', () => {
    const id = createSessionId('s3cret');
    expect(isValidSessionId(id, 's3cret')).toBe(true);
    expect(isValidSessionId(id, 'other-secret')).toBe(false);
    expect(isValidSessionId(`${id}x`, 's3cret')).toBe(false);
    expect(isValidSessionId(id.split('.')[0], 's3cret')).toBe(false);
    expect(isValidSessionId('bad id with spaces', undefined)).toBe(false);
    expect(isValidSessionId(42, undefined)).toBe(false);
  });

  it('are random and well-formed without a secret', () => {
    const a = createSessionId(undefined);
    expect(a).not.toBe(createSessionId(undefined));
    expect(isValidSessionId(a, undefined)).toBe(true);
  });
});

describe('createAuthHandler (the channel auth endpoint)', () => {
  const secret = 'app-secret';
  const session = createSessionId(secret);
  const handler = createAuthHandler({
    secret,
    authorize: ({ channel, request }) => {
      if (request.headers.get('cookie') !== 'user=ann') return false;
      if (channel === 'private-forbidden') return false;
      return channel.startsWith('presence-') ? { userId: 'ann', userInfo: { name: 'Ann' } } : true;
    },
  });
  const post = (body: string, contentType: string, cookie = 'user=ann') =>
    handler(new Request('http://app.test/api/realtime/auth', { method: 'POST', body, headers: { 'content-type': contentType, cookie } }));

  it("signs a private channel from Pusher's form body", async () => {
    const res = await post(`socket_id=${encodeURIComponent(session)}&channel_name=private-orders`, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { auth: string };
    expect(verifyChannelAuth({ secret }, session, 'private-orders', body.auth)).toBe(true);
    expect(body.auth.startsWith('switchboard:')).toBe(true);
  });

  it('signs a presence channel from JSON, with the member in channel_data', async () => {
    const res = await post(JSON.stringify({ session, channel: 'presence-room' }), 'application/json');
    const body = (await res.json()) as { auth: string; channel_data: string };
    expect(JSON.parse(body.channel_data)).toEqual({ user_id: 'ann', user_info: { name: 'Ann' } });
    expect(verifyChannelAuth({ secret }, session, 'presence-room', body.auth, body.channel_data)).toBe(true);
  });

  it('refuses with 403, and bad requests with 400, never signing', async () => {
    expect((await post(`socket_id=${session}&channel_name=private-forbidden`, 'application/x-www-form-urlencoded')).status).toBe(403);
    expect((await post(`socket_id=${session}&channel_name=private-orders`, 'application/x-www-form-urlencoded', 'user=eve')).status).toBe(403);
    expect((await post(`socket_id=forged.session&channel_name=private-orders`, 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post(`socket_id=${session}&channel_name=public-room`, 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post('{not json', 'application/json')).status).toBe(400);
    expect((await post('x'.repeat(20_000), 'application/x-www-form-urlencoded')).status).toBe(413);
  });

  it('answers 500 (not a signature) when authorize throws or forgets the presence user id', async () => {
    const broken = createAuthHandler({
      secret,
      authorize: ({ channel }) => {
        if (channel === 'private-boom') throw new Error('db down');
        return true;
      },
    });
    const ask = (channel: string) =>
      broken(new Request('http://app.test/auth', { method: 'POST', body: `socket_id=${session}&channel_name=${channel}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect((await ask('private-boom')).status).toBe(500);
    expect((await ask('presence-room')).status).toBe(500);
  });
});

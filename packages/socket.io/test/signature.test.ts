import { authorizeChannel, verifyChannelAuth } from '@switchboard/server';
import { describe, expect, it } from 'vitest';
import { presenceUserId, safeEqual, signChannel, verifyChannelSignature } from '../src/server.js';

const signing = { secret: 's3cret' };

describe('channel signatures (Pusher scheme, constant-time)', () => {
  it('a signature verifies for its socket and channel only', () => {
    const { auth } = signChannel(signing, 'sock1', 'private-a');
    expect(auth).toMatch(/^switchboard:[0-9a-f]{64}$/);
    expect(verifyChannelSignature(signing, 'sock1', 'private-a', auth)).toBe(true);
    expect(verifyChannelSignature(signing, 'sock2', 'private-a', auth)).toBe(false);
    expect(verifyChannelSignature(signing, 'sock1', 'private-b', auth)).toBe(false);
    expect(verifyChannelSignature({ secret: 'other' }, 'sock1', 'private-a', auth)).toBe(false);
    expect(verifyChannelSignature({ ...signing, key: 'app-key' }, 'sock1', 'private-a', auth)).toBe(false);
  });

  it('presence signatures cover the channel data; tampering with it fails', () => {
    const signed = signChannel(signing, 'sock1', 'presence-a', { userId: 7, userInfo: { name: 'ann' } });
    expect(signed.channel_data).toBe('{"user_id":7,"user_info":{"name":"ann"}}');
    expect(verifyChannelSignature(signing, 'sock1', 'presence-a', signed.auth, signed.channel_data)).toBe(true);
    expect(verifyChannelSignature(signing, 'sock1', 'presence-a', signed.auth, '{"user_id":8}')).toBe(false);
    expect(verifyChannelSignature(signing, 'sock1', 'presence-a', signed.auth)).toBe(false);
    expect(presenceUserId(signed.channel_data)).toBe('7');
    expect([presenceUserId('{"user_id":{}}'), presenceUserId('not json'), presenceUserId(undefined)]).toEqual([null, null, null]);
  });

  it('malformed auth values are refused without throwing', () => {
    for (const auth of [undefined, 42, '', 'no-colon', ':', `switchboard:${'f'.repeat(400)}`]) {
      expect(verifyChannelSignature(signing, 'sock1', 'private-a', auth)).toBe(false);
    }
    expect([safeEqual('abc', 'abc'), safeEqual('abc', 'abd'), safeEqual('abc', 'abcd')]).toEqual([true, false, false]);
  });

  it('interoperates with the server kit: either side signs, the other verifies', () => {
    const fromKit = authorizeChannel(signing, 'sock1', 'presence-x', { userId: 'u1' });
    expect(verifyChannelSignature(signing, 'sock1', 'presence-x', fromKit.auth, fromKit.channel_data)).toBe(true);
    const fromHere = signChannel(signing, 'sock1', 'presence-x', { userId: 'u1' });
    expect(fromHere).toEqual(fromKit);
    expect(verifyChannelAuth(signing, 'sock1', 'presence-x', fromHere.auth, fromHere.channel_data)).toBe(true);
  });
});

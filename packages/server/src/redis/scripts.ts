import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts of the Redis broker. Each runs atomically in Redis, so publishes, dedup and
 * presence changes from several server processes never interleave half-way.
 *
 * Key layout (`P` is the prefix, default `switchboard:`; channel names never contain spaces):
 * - `P epoch`          string: the deployment's offset epoch (random; a Redis that lost its data gets a new one)
 * - `P h:<channel>`    stream: the channel's history, field `m` = message JSON without its offset
 * - `P f:<channel>`    string: the highest stream id trimmed away (cursors below it cannot be resumed)
 * - `P d:<channel> <id>` string: offset of a publish with this client id (expires after the dedup window)
 * - `P c:<channel>`    pub/sub channel: every message and presence change of the channel
 * - `P pm:<channel>`   hash session → member id
 * - `P pc:<channel>`   hash member id → number of sessions
 * - `P pd:<channel>`   hash member id → member data (JSON)
 * - `P pv:<channel>`   counter: the channel's presence version
 * - `P pexp`           sorted set `<channel> <session>` → expiry (ms since epoch)
 */

/** Shared helpers, prepended to every script. */
const PRELUDE = `
local P = ARGV[1]
local function epoch(candidate)
  local e = redis.call('GET', P .. 'epoch')
  if not e then
    redis.call('SET', P .. 'epoch', candidate)
    e = candidate
  end
  return e
end
local function headOf(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #last > 0 then return last[1][1] end
  return '0-0'
end
local function cmp(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  if ams ~= bms then return ams < bms and -1 or 1 end
  if aseq ~= bseq then return aseq < bseq and -1 or 1 end
  return 0
end
local function emit(channel, action, memberId, data)
  local v = redis.call('INCR', P .. 'pv:' .. channel)
  redis.call('PUBLISH', P .. 'c:' .. channel,
    '{"k":"p","a":"' .. action .. '","v":' .. v .. ',"m":{"id":' .. cjson.encode(memberId) .. ',"data":' .. (data or 'null') .. '}}')
end
local function removeSession(channel, session)
  local m = redis.call('HGET', P .. 'pm:' .. channel, session)
  redis.call('ZREM', P .. 'pexp', channel .. ' ' .. session)
  if not m then return 0 end
  redis.call('HDEL', P .. 'pm:' .. channel, session)
  local n = redis.call('HINCRBY', P .. 'pc:' .. channel, m, -1)
  if n <= 0 then
    redis.call('HDEL', P .. 'pc:' .. channel, m)
    local d = redis.call('HGET', P .. 'pd:' .. channel, m)
    redis.call('HDEL', P .. 'pd:' .. channel, m)
    emit(channel, 'leave', m, d)
  end
  return 1
end
`;

/**
 * ARGV: prefix, candidate epoch, channel, payload (message JSON without offset, starting with '{'),
 * history size, dedup key suffix ('' for none), dedup window ms.
 * Returns { offset, duplicate (0/1) }.
 */
const PUBLISH = `
local channel = ARGV[3]
local e = epoch(ARGV[2])
local dkey = nil
if ARGV[6] ~= '' then
  dkey = P .. 'd:' .. channel .. ' ' .. ARGV[6]
  local seen = redis.call('GET', dkey)
  if seen then return { seen, 1 } end
end
local stream = P .. 'h:' .. channel
local id = redis.call('XADD', stream, '*', 'm', ARGV[4])
local max = tonumber(ARGV[5])
local len = redis.call('XLEN', stream)
if len > max then
  local old = redis.call('XRANGE', stream, '-', '+', 'COUNT', len - max)
  for i = 1, #old do redis.call('XDEL', stream, old[i][1]) end
  redis.call('SET', P .. 'f:' .. channel, old[#old][1])
end
local offset = e .. '.' .. id
if dkey then redis.call('SET', dkey, offset, 'PX', ARGV[7]) end
redis.call('PUBLISH', P .. 'c:' .. channel, '{"k":"m","o":"' .. offset .. '",' .. string.sub(ARGV[4], 2))
return { offset, 0 }
`;

/**
 * A volatile message: fanned out, not stored. Its offset is the channel's head plus `:<tag>`, so a
 * client whose cursor is a volatile offset resumes from the stored message before it.
 * ARGV: prefix, candidate epoch, channel, payload, tag. Returns the offset.
 */
const PUBLISH_VOLATILE = `
local channel = ARGV[3]
local offset = epoch(ARGV[2]) .. '.' .. headOf(P .. 'h:' .. channel) .. ':' .. ARGV[5]
redis.call('PUBLISH', P .. 'c:' .. channel, '{"k":"m","o":"' .. offset .. '",' .. string.sub(ARGV[4], 2))
return offset
`;

/**
 * ARGV: prefix, candidate epoch, channel, cursor epoch ('' = no cursor), cursor stream id, limit.
 * Returns { epoch, head id, resumed (0/1), entries }.
 */
const HISTORY = `
local channel = ARGV[3]
local e = epoch(ARGV[2])
local stream = P .. 'h:' .. channel
local head = headOf(stream)
local c = ARGV[5]
if ARGV[4] ~= e or c == '' then return { e, head, 0, {} } end
if cmp(c, head) > 0 then return { e, head, 0, {} } end
local floor = redis.call('GET', P .. 'f:' .. channel)
if floor and cmp(c, floor) < 0 then return { e, head, 0, {} } end
local entries = redis.call('XRANGE', stream, c, '+', 'COUNT', tonumber(ARGV[6]) + 1)
return { e, head, 1, entries }
`;

/**
 * ARGV: prefix, channel, session, member id, member data JSON, expiry (ms since epoch).
 */
const PRESENCE_SET = `
local channel, session, memberId, data = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local old = redis.call('HGET', P .. 'pm:' .. channel, session)
if old and old ~= memberId then
  removeSession(channel, session)
  old = false
end
redis.call('HSET', P .. 'pm:' .. channel, session, memberId)
redis.call('ZADD', P .. 'pexp', ARGV[6], channel .. ' ' .. session)
if not old then
  local n = redis.call('HINCRBY', P .. 'pc:' .. channel, memberId, 1)
  if n == 1 then
    redis.call('HSET', P .. 'pd:' .. channel, memberId, data)
    emit(channel, 'join', memberId, data)
    return 1
  end
end
if redis.call('HGET', P .. 'pd:' .. channel, memberId) ~= data then
  redis.call('HSET', P .. 'pd:' .. channel, memberId, data)
  emit(channel, 'update', memberId, data)
end
return 1
`;

/** ARGV: prefix, expiry, session, channels… Only entries that exist are touched. */
const PRESENCE_TOUCH = `
for i = 4, #ARGV do
  redis.call('ZADD', P .. 'pexp', 'XX', ARGV[2], ARGV[i] .. ' ' .. ARGV[3])
end
return 1
`;

/** ARGV: prefix, channel, session. */
const PRESENCE_REMOVE = `
return removeSession(ARGV[2], ARGV[3])
`;

/** ARGV: prefix, channel. Returns { version, flat [memberId, data, …] }. */
const PRESENCE_LIST = `
local v = redis.call('GET', P .. 'pv:' .. ARGV[2]) or '0'
return { v, redis.call('HGETALL', P .. 'pd:' .. ARGV[2]) }
`;

/** Removes entries whose expiry passed (their process died or stopped touching them). ARGV: prefix, now, limit. */
const PRESENCE_SWEEP = `
local due = redis.call('ZRANGEBYSCORE', P .. 'pexp', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due do
  local space = string.find(due[i], ' ', 1, true)
  if space then removeSession(string.sub(due[i], 1, space - 1), string.sub(due[i], space + 1))
  else redis.call('ZREM', P .. 'pexp', due[i]) end
end
return #due
`;

/** A script run with EVALSHA, falling back to EVAL when Redis does not have it (a restarted Redis). */
export class Script {
  readonly #source: string;
  readonly #sha: string;
  constructor(body: string) {
    this.#source = PRELUDE + body;
    this.#sha = createHash('sha1').update(this.#source).digest('hex');
  }

  async run(redis: Redis, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, 0, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, 0, ...args);
    }
  }
}

export const SCRIPTS = {
  publish: new Script(PUBLISH),
  publishVolatile: new Script(PUBLISH_VOLATILE),
  history: new Script(HISTORY),
  presenceSet: new Script(PRESENCE_SET),
  presenceTouch: new Script(PRESENCE_TOUCH),
  presenceRemove: new Script(PRESENCE_REMOVE),
  presenceList: new Script(PRESENCE_LIST),
  presenceSweep: new Script(PRESENCE_SWEEP),
} as const;

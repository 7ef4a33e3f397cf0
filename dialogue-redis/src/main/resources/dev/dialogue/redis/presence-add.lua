-- One connection of a user is present in a room until its expiry (refreshed by its node); the
-- user's first connection in the room tells every node (a presence message on the room's channel).
-- KEYS: 1 connections (sorted set: connection id -> expiry ms), 2 connection users (hash:
--       connection id -> user id), 3 users (hash: user id -> connections present)
-- ARGV: 1 connection id, 2 user id, 3 time to live ms, 4 channel. Returns the user's connection
-- count. Times are Redis' own (TIME), so nodes' clocks need not agree.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1]) == 0 then
  return tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local count = redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
if count == 1 then
  redis.call('PUBLISH', ARGV[4], 'P\n+\n' .. ARGV[2])
end
return count

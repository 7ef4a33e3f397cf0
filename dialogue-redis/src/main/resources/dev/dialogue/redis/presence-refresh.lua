-- A node's heartbeat for one room: moves the expiry of its connections that are still present.
-- KEYS: 1 connections (sorted set). ARGV: 1 time to live ms, 2.. connection ids. Returns how many.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local refreshed = 0
for i = 2, #ARGV do
  refreshed = refreshed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return refreshed

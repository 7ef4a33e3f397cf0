-- Admission to a room with a maxSize, counted over every node: the seats are a sorted set of
-- connection id -> expiry (Redis time; each node refreshes its own), so a dead node's seats free
-- themselves. KEYS: 1 seats. ARGV: 1 connection id, 2 maxSize, 3 time to live ms.
-- Returns 1 when the connection has a seat, 0 when the room is full.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1

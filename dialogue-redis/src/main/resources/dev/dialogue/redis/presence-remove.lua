-- Removes connections from a room's presence: those named (ARGV[4..]) or, with ARGV[1] = 'expired',
-- every connection whose expiry has passed (its node stopped refreshing it: it died). A user
-- whose last connection went is announced as gone once, by whichever call removed it.
-- KEYS: as presence-add.lua. ARGV: 1 'named' or 'expired', 2 unused, 3 channel, 4.. connection
-- ids. Returns the number of connections removed.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local connections
if ARGV[1] == 'expired' then
  connections = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
else
  connections = {}
  for i = 4, #ARGV do
    connections[#connections + 1] = ARGV[i]
  end
end
local removed = 0
for _, connection in ipairs(connections) do
  if redis.call('ZREM', KEYS[1], connection) == 1 then
    removed = removed + 1
    local user = redis.call('HGET', KEYS[2], connection)
    redis.call('HDEL', KEYS[2], connection)
    if user then
      if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
        redis.call('HDEL', KEYS[3], user)
        redis.call('PUBLISH', ARGV[3], 'P\n-\n' .. user)
      end
    end
  end
end
return removed

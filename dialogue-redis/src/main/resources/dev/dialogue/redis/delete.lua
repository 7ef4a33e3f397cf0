-- Forgets a deleted room: its epoch, offset, stream, history lists and names, so that a room
-- made again with its id starts a new epoch.
-- KEYS: 1 epoch, 2 offset, 3 stream, 4 set of event names, 5 seats. ARGV: 1 the history lists'
-- key prefix.
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  redis.call('DEL', ARGV[1] .. name)
end
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])

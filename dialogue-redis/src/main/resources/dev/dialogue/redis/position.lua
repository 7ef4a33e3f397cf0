-- Where a room stands: its epoch (made on first use with ARGV[1]) and its last offset.
-- KEYS: 1 epoch, 2 offset. Returns {epoch, offset}.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
return {epoch, redis.call('GET', KEYS[2]) or '0'}

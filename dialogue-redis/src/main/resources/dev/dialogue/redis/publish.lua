-- Publishes one event of a room, as one atomic step (docs/scaling.md): the room's epoch (made on
-- first use), the idempotency check by client message id, the next offset, the append to the
-- room's bounded stream and to the event name's history list, and the PUBLISH to the room's
-- channel, so that Redis is the one ordering point of the room whichever node published.
--
-- KEYS: 1 epoch, 2 offset, 3 stream, 4 history list of the event name, 5 set of event names,
--       6 idempotency key (used only when ARGV[6] is '1')
-- ARGV: 1 epoch to use if the room has none, 2 history limit of the event (0: no offset, no
--       history), 3 stream length (MAXLEN ~), 4 envelope JSON without its offset, 5 idempotency
--       window in ms, 6 '1' to check and remember the client message id, 7 channel, 8 event name
-- Returns {'dup', epoch, first envelope} for a repeated client message id, or
--         {'ok', epoch, offset ('' without history), envelope, evicted envelopes...}
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
if ARGV[6] == '1' then
  local first = redis.call('GET', KEYS[6])
  if first then
    return {'dup', epoch, first}
  end
end
local limit = tonumber(ARGV[2])
local json = ARGV[4]
local offset = ''
local result = {'ok', epoch}
if limit > 0 then
  offset = tostring(redis.call('INCR', KEYS[2]))
  json = string.sub(json, 1, -2) .. ',"offset":' .. offset .. '}'
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], offset .. '-0', 'e', json)
  redis.call('SADD', KEYS[5], ARGV[8])
  local kept = redis.call('LPUSH', KEYS[4], json)
  result[3] = offset
  result[4] = json
  if kept > limit then
    local evicted = redis.call('LRANGE', KEYS[4], limit, -1)
    redis.call('LTRIM', KEYS[4], 0, limit - 1)
    for i = #evicted, 1, -1 do
      result[#result + 1] = evicted[i]
    end
  end
else
  result[3] = offset
  result[4] = json
end
if ARGV[6] == '1' then
  redis.call('SET', KEYS[6], json, 'PX', ARGV[5])
end
redis.call('PUBLISH', ARGV[7], epoch .. '\n' .. offset .. '\n' .. json)
return result

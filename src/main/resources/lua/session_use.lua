-- Use a session: end it past its absolute lifetime, else slide its idle expiry (never past that lifetime) and
-- read it, count a visit or merge a patch, all in one step.
-- KEYS[1] session hash; ARGV[1] idle ttl ms; ARGV[2] absolute lifetime ms; ARGV[3] 'read', 'visit' or 'patch';
-- 'patch' only: ARGV[4] max attributes, ARGV[5..] field/value pairs where an empty value deletes the field (a
-- stored value is JSON text, never empty).
-- Returns nil when there is no such session (unknown, idle too long, or past its lifetime: then deleted); else
-- for 'read' and 'patch' the hash after the change as a flat field/value list, for 'visit' the new visit count.
-- A patch that would leave more attributes than allowed changes nothing and refuses with "LIMIT <count>".
local created = redis.call('HGET', KEYS[1], 'm:created')
if not created then
  return false
end
-- Redis' clock, so every replica ends a session at the same moment (m:created is the creating replica's clock).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local left = tonumber(created) + tonumber(ARGV[2]) - now
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local op = ARGV[3]
if op == 'patch' then
  -- Every session holds exactly two metadata fields (m:created, m:visits); the rest are attributes.
  local count = redis.call('HLEN', KEYS[1]) - 2
  for i = 5, #ARGV, 2 do
    local present = redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1
    if ARGV[i + 1] == '' then
      if present then count = count - 1 end
    elseif not present then
      count = count + 1
    end
  end
  if count > tonumber(ARGV[4]) then
    return redis.error_reply('LIMIT ' .. count)
  end
  for i = 5, #ARGV, 2 do
    if ARGV[i + 1] == '' then
      redis.call('HDEL', KEYS[1], ARGV[i])
    else
      redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    end
  end
end
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.min(tonumber(ARGV[1]), left)))
if op == 'visit' then
  return redis.call('HINCRBY', KEYS[1], 'm:visits', 1)
end
return redis.call('HGETALL', KEYS[1])

-- wrk script: requests taken in turn from a file of lines
--   METHOD <TAB> PATH <TAB> AUTHORIZATION (or -) <TAB> BODY (or -)
-- given as the first script argument. Each wrk thread takes every Nth line (N threads) and
-- cycles through its share, so with as many connections as lines (heartbeats: one per
-- learner) two requests of one learner rarely overlap. "{uuid}" in a body becomes a fresh
-- random UUID (event ids of heartbeats). A third argument, in milliseconds, paces each
-- connection (it waits about that long before each request: a player's interval). At the end,
-- prints one JSON line with latency percentiles and errors.

local lines = {}
local threads = 0
local next_line = 0
local pause = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  local all = {}
  for line in io.lines(args[1]) do
    local method, path, auth, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    if method then
      all[#all + 1] = {method = method, path = path, auth = auth, body = body}
    end
  end
  pause = tonumber(args[3]) or 0
  local count = tonumber(args[2]) or 1
  for i, r in ipairs(all) do
    if #all < count or (i - 1) % count == id then lines[#lines + 1] = r end
  end
end

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 0xf) or math.random(8, 0xb)
    return string.format("%x", v)
  end))
end

function delay()
  -- Uniform in [pause/2, 3*pause/2]: players are not in step with one another.
  if pause == 0 then return 0 end
  return math.random(math.floor(pause / 2), math.floor(pause * 3 / 2))
end

function request()
  next_line = next_line % #lines + 1
  local r = lines[next_line]
  local headers = {["Accept"] = "application/json"}
  if r.auth ~= "-" then headers["Authorization"] = r.auth end
  local body = nil
  if r.body ~= "-" then
    body = string.gsub(r.body, "{uuid}", uuid)
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(r.method, r.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end

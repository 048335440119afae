-- POSTs JSON bodies read from a file (one body per line), cycling through them, and prints a
-- one-line summary prefixed "WRK_JSON " when done, with the first error response seen (if any).
-- Headers given with -H (e.g. Authorization) are sent with every request.
-- Usage: wrk [-H "Name: value"] -s post.lua URL -- BODIES_FILE

local requests = {}
local next_index = 1
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open bodies file")
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/json"
  for line in file:lines() do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("POST", nil, headers, line)
    end
  end
  file:close()
  assert(#requests > 0, "no bodies")
  -- Threads start at different bodies so they do not move in lockstep.
  next_index = math.random(#requests)
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

-- Global, so that done() can read it from each thread.
first_error = nil

function response(status, _, body)
  if status >= 400 and first_error == nil then
    first_error = status .. " " .. string.sub(body or "", 1, 300)
  end
end

local function json_string(s)
  local escaped = s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end)
  return '"' .. escaped .. '"'
end

function done(summary, latency, _)
  local first = "null"
  for _, thread in ipairs(threads) do
    local e = thread:get("first_error")
    if e ~= nil then
      first = json_string(e)
      break
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d},"firstError":%s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, first
  ))
end

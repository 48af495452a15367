-- wrk script for scripts/load-create.sh: every request creates a contact with an email no other
-- request (of this run or an earlier one) uses. The token comes from the TOKEN environment variable.
local counter = 0
local prefix

function init(args)
  -- A random prefix per wrk thread: threads share no state, and runs must not collide.
  local urandom = io.open("/dev/urandom", "rb")
  local bytes = urandom:read(8)
  urandom:close()
  prefix = "load-" .. bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"%s-%d@load.example","firstName":"Ada","lastName":"Lovelace","company":"Acme",'
      .. '"score":%d,"attributes":{"plan":"pro","seats":%d}}',
    prefix, counter, counter % 101, counter % 50 + 1)
  return wrk.format("POST", "/api/v1/contacts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
  }, body)
end

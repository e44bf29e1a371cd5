-- wrk: a different name search on every request (part of a name that few enterprises share:
-- five digits of a generated name's number), so that no answer comes from the server's cache.
math.randomseed(7)
request = function()
  local path = string.format("/api/v1/enterprises?per_page=50&name=%05d", math.random(10000, 99999))
  return wrk.format("GET", path)
end

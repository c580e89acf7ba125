-- GET <PATH_PREFIX><random id from IDS_FILE><PATH_SUFFIX>, or, when GQL_TEMPLATE is set,
-- POST that JSON body with ID_HERE replaced by the id. Auth comes from wrk's -H.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local ids = read_lines(assert(os.getenv("IDS_FILE"), "IDS_FILE"))
local prefix = os.getenv("PATH_PREFIX") or "/api/v1/contributions/"
local suffix = os.getenv("PATH_SUFFIX") or ""
local template = os.getenv("GQL_TEMPLATE")
local post_headers
request = function()
  local id = ids[math.random(#ids)]
  if template then
    post_headers = post_headers or copy_headers({["Content-Type"] = "application/json"})
    return wrk.format("POST", nil, post_headers, (string.gsub(template, "ID_HERE", id)))
  end
  return wrk.format("GET", prefix .. id .. suffix)
end

-- POST the fixed body of BODY_FILE with Content-Type CONTENT_TYPE (GraphQL, token requests).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
local f = assert(io.open(assert(os.getenv("BODY_FILE"), "BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()

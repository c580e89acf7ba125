-- Shared by the scripts below (loaded with dofile): a per-thread id and a seed, so
-- that every wrk thread draws its own random numbers and makes its own unique keys.
local n_threads = 0
function setup(thread)
  n_threads = n_threads + 1
  thread:set("tid", n_threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end
-- Headers of wrk.format are replaced, not merged: copy wrk.headers (which hold -H values).
function copy_headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  assert(#out > 0, "no lines in " .. path)
  return out
end

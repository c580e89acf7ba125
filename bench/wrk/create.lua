-- POST one new contribution per request, French or English, ~1.6 KB of body.
--   CREATE_MODE=service       the service's REST body, with a unique Idempotency-Key
--   CREATE_MODE=directus      a full row for Directus' /items/contributions
--   CREATE_MODE=postgraphile  a createContribution mutation
-- KEY_PREFIX makes keys and ids unique across runs (warm-up and measured run differ).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local mode = os.getenv("CREATE_MODE") or "service"
local prefix = os.getenv("KEY_PREFIX") or tostring(os.time())
local org = os.getenv("ORG_ID") or ""
local org_kind = os.getenv("ORG_KIND") or "rcp"
local kinds = {"recommendation", "innovative_solution", "common_approach", "gap", "commitment"}
local en = {"migration", "migrants", "compact", "global", "cooperation", "regional", "policy", "protection",
  "rights", "workers", "borders", "integration", "data", "partnership", "mechanisms", "consultative", "return",
  "reintegration", "diaspora", "remittances", "skills", "recognition", "trafficking", "dialogue", "governance"}
local fr = {"migration", "migrants", "pacte", "mondial", "coopération", "régionale", "politique", "protection",
  "droits", "travailleurs", "frontières", "intégration", "données", "partenariat", "mécanismes", "consultatifs",
  "retour", "réintégration", "diaspora", "envois", "fonds", "compétences", "reconnaissance", "traite", "dialogue"}
local function text(words, bytes)
  local t, len = {}, 0
  while len < bytes do
    local w = words[math.random(#words)]
    t[#t + 1] = w
    len = len + #w + 1
  end
  return table.concat(t, " ")
end
local function distinct(s)  -- sorted distinct crude stems (two ASCII letters off longer words)
  local seen, out = {}, {}
  for w in string.gmatch(s, "%S+") do
    if #w > 5 then w = (string.gsub(w, "%a%a$", "")) end
    if not seen[w] then seen[w] = true; out[#out + 1] = w end
  end
  table.sort(out)
  return table.concat(out, " ")
end
-- a pool of bodies built once per thread, so that request() stays cheap
local pool
local headers
local n = 0
request = function()
  if not pool then
    pool = {}
    for i = 1, 32 do
      local lang = (i % 2 == 0) and "fr" or "en"
      local words = (lang == "fr") and fr or en
      local e = {lang = lang, title = text(words, 60), summary = text(words, 200), body = text(words, 1350)}
      -- what the service stores beside the text (search_terms: the sorted distinct stems of title,
      -- summary and body; rank_terms: those of the title | of the summary), so that the peers'
      -- rows are as large as the service's
      e.terms = distinct(e.title .. " " .. e.summary .. " " .. e.body)
      e.rank = distinct(e.title) .. "|" .. distinct(e.summary)
      pool[i] = e
    end
    headers = copy_headers({["Content-Type"] = "application/json"})
  end
  n = n + 1
  local key = string.format("%s-%d-%d", prefix, tid or 0, n)
  local p = pool[math.random(#pool)]
  local kind = kinds[math.random(#kinds)]
  local payload
  if mode == "directus" or mode == "postgraphile" then
    local now = os.date("!%Y-%m-%dT%H:%M:%S.000000Z")
    local row = string.format(
      '"%s":"%s","consultation":"grcp-7","kind":"%s","title":"%s","summary":"%s","body":"%s","language":"%s",' ..
      '"status":"draft","version":1,"%s":"%s","%s":"%s","%s":"bench","%s":0,"%s":"[]","regions":"[]",' ..
      '"themes":"[]","links":"[]","%s":"%s","%s":"%s","%s":"%s","%s":"%s"',
      mode == "directus" and "id" or "rowId", key, kind, p.title, p.summary, p.body, p.lang,
      mode == "directus" and "organisation_id" or "organisationId", org,
      mode == "directus" and "org_kind" or "orgKind", org_kind,
      mode == "directus" and "created_by" or "createdBy",
      mode == "directus" and "endorsement_count" or "endorsementCount",
      mode == "directus" and "question_ids" or "questionIds",
      mode == "directus" and "search_terms" or "searchTerms", p.terms,
      mode == "directus" and "rank_terms" or "rankTerms", p.rank,
      mode == "directus" and "created_at" or "createdAt", now,
      mode == "directus" and "updated_at" or "updatedAt", now)
    if mode == "directus" then
      payload = "{" .. row .. "}"
    else
      payload = '{"query":"mutation($c: ContributionInput!){ createContribution(input:{contribution:$c}){ contribution { rowId } } }","variables":{"c":{' .. row .. '}}}'
    end
    return wrk.format("POST", nil, headers, payload)
  end
  payload = string.format('{"kind":"%s","title":"%s","summary":"%s","body":"%s","language":"%s"}',
    kind, p.title, p.summary, p.body, p.lang)
  headers["Idempotency-Key"] = key
  return wrk.format("POST", nil, headers, payload)
end

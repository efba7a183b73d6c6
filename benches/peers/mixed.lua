-- wrk request mix for serve_load.sh: entity search, entity lookup, a small SPARQL query,
-- and top-k predictions when RXGRAPH_PREDICTIONS=1 (the server has a model);
-- RXGRAPH_MIX=predictions sends top-k predictions only.
--
-- Top-k requests name a source drawn at random from the file that RXGRAPH_SOURCES names
-- (lines "Compound::DB00945", "Disease::DOID:9352", "Gene::1017"), so that the run
-- covers many sources rather than a few repeated ones. Each request is one of: new
-- indications of a compound (CtD), compounds for a disease (CtD), targets of a compound
-- (CbG), compounds binding a gene (CbG).

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local sparql = [[
PREFIX rx: <https://w3id.org/rxgraph/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?disease ?name WHERE { ?drug rx:id "Compound::DB00945" ; rx:CtD ?disease . ?disease rdfs:label ?name }
]]

local paths = {
  "/api/v1/entities?q=statin&kind=Compound&limit=10",
  "/api/v1/entities/DB00945",
  "/sparql?query=" .. urlencode(sparql),
}

-- Sources by kind, read once per wrk thread.
local sources = { Compound = {}, Disease = {}, Gene = {} }
local file = os.getenv("RXGRAPH_SOURCES")
if file then
  for line in io.lines(file) do
    local kind = line:match("^(%a+)::")
    if kind and sources[kind] then
      table.insert(sources[kind], urlencode(line))
    end
  end
end

-- Query kinds of a top-k request: the source's kind and the relation.
local top_k = {
  { "Compound", "CtD" },
  { "Disease", "CtD" },
  { "Compound", "CbG" },
  { "Gene", "CbG" },
}
local function top_k_path()
  local query = top_k[math.random(#top_k)]
  local pool = sources[query[1]]
  local source = pool[math.random(#pool)]
  return "/api/v1/predictions?source=" .. source .. "&relation=" .. query[2] .. "&k=20"
end

local predictions = os.getenv("RXGRAPH_PREDICTIONS") == "1"
local only_predictions = os.getenv("RXGRAPH_MIX") == "predictions"
if predictions then
  for kind, pool in pairs(sources) do
    assert(#pool > 0, "RXGRAPH_SOURCES has no " .. kind .. " lines")
  end
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

local counter = 0
request = function()
  counter = counter + 1
  local path
  if only_predictions then
    path = top_k_path()
  elseif predictions then
    -- One top-k request after each of the three other paths.
    local slot = counter % (#paths + 1)
    path = slot == #paths and top_k_path() or paths[slot + 1]
  else
    path = paths[(counter % #paths) + 1]
  end
  return wrk.format("GET", path, { ["Accept"] = "application/sparql-results+json, application/json" })
end

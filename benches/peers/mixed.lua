-- wrk request mix for serve_load.sh: entity search, entity lookup, a small SPARQL query,
-- and top-k predictions when RXGRAPH_PREDICTIONS=1 (the server has a model);
-- RXGRAPH_MIX=predictions sends top-k predictions only.

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
local top_k = {
  "/api/v1/predictions?source=DB00945&relation=CtD&k=20",
  "/api/v1/predictions?source=DOID:9352&relation=CtD&k=20",
  "/api/v1/predictions?source=DB00945&relation=CbG&k=20",
}
if os.getenv("RXGRAPH_MIX") == "predictions" then
  paths = top_k
elseif os.getenv("RXGRAPH_PREDICTIONS") == "1" then
  for _, path in ipairs(top_k) do
    table.insert(paths, path)
  end
end

local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, { ["Accept"] = "application/sparql-results+json, application/json" })
end

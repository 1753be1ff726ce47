-- The benchmark's reference filter (issue 7) as an Envoy Lua filter (envoy.filters.http.lua).
-- Counter: Envoy's Lua API has no custom counters, so this filter counts nothing itself;
-- Envoy's own per-filter stats are the only counters (see benchmarks/README.md).
function envoy_on_request(request_handle)
  if request_handle:headers():get("x-user") == "blocked" then
    request_handle:respond({[":status"] = "403"}, "denied")
    return
  end
  request_handle:headers():add("x-filter", "1")
end

function envoy_on_response(response_handle)
  response_handle:headers():add("x-powered-by", "filter")
end

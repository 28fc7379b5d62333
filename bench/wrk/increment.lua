-- wrk -s bench/wrk/increment.lua http://127.0.0.1:PORT/api/v1/counters/NAME/increment
-- Every request increments the counter named in the URL by 1 (no Idempotency-Key: the plain INCRBY path).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"by":1}'
-- With an API key (bench/increments.sh BENCH_AUTH=key): the cost of authentication, side by side with anonymous.
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization then
  wrk.headers["Authorization"] = authorization
end

dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "report.lua")

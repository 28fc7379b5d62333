-- wrk -s bench/wrk/submit.lua http://127.0.0.1:PORT/api/v1/jobs
-- Every request submits one no-op job (202 and a Location header).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"noop"}'

dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "report.lua")

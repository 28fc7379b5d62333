-- wrk -s bench/wrk/get.lua http://127.0.0.1:PORT/
-- A plain GET with the same response accounting as increment.lua, so both runs cost wrk the same.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "report.lua")

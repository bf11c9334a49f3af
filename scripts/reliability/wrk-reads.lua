-- wrk script for scripts/reliability/wrk.sh: alternates the two dashboard reads and sends
-- the session cookie given in the PBS_SESSION environment variable.
local paths = { "/api/sync-jobs", "/api/filters" }
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1], { ["Cookie"] = "pbs_session=" .. os.getenv("PBS_SESSION") })
end

-- wrk script for tests/perf/bench.py: every request carries the signed-in session cookie
-- (TRACKER_COOKIE, from a real login through the form) and a browser-like User-Agent.
wrk.headers["Cookie"] = os.getenv("TRACKER_COOKIE")
wrk.headers["User-Agent"] = "tracker-bench"

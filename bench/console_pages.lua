-- wrk script: GET one console page as a signed-in person.
-- Env: COOKIE (the session cookie, name=value).
wrk.headers["Cookie"] = os.getenv("COOKIE") or ""
wrk.headers["Accept"] = "text/html"

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end

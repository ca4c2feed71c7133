"""Is a page's tail its own? In-process, one app: per-request CPU (process_time) and wall
time percentiles of N requests of one page after gc.freeze() (as `tracker serve` does), with
every garbage collection's generation and CPU ms, and the slowest requests' collections. A
CPU p99 near the p50 with a wall p99 far above it says the tail is waiting for a core, not
the page's work.

    PYTHONPATH=$PWD python tests/perf/page_tail.py sqlite:////tmp/x/bench-L.sqlite3 /companies/703
"""
import gc, statistics, sys, tempfile, time
from tests.perf.bench_pages import sign_in
from tracker import create_app
url, page = sys.argv[1], sys.argv[2]
client = sign_in(create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp()))
for _ in range(20): client.get(page)
gc.collect(); gc.freeze()
gcs = []; start = {}
def cb(phase, info):
    if phase == "start": start["t"] = time.process_time()
    else: gcs.append((info["generation"], (time.process_time() - start["t"]) * 1000))
gc.callbacks.append(cb)
cpu = []; wall = []
for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 300):
    n = len(gcs); t = time.process_time(); w = time.perf_counter()
    assert client.get(page).status_code == 200
    cpu.append(((time.process_time() - t) * 1000, [g for g in gcs[n:]])); wall.append((time.perf_counter() - w) * 1000)
c = sorted(x for x, _ in cpu)
q = lambda v, p: v[min(len(v) - 1, int(p * (len(v) - 1)))]
print(page, "cpu p50 %.1f p90 %.1f p99 %.1f max %.1f" % (q(c, .5), q(c, .9), q(c, .99), c[-1]), "wall p50 %.1f p99 %.1f" % (q(sorted(wall), .5), q(sorted(wall), .99)))
by = {}
for g, ms in gcs: by.setdefault(g, []).append(ms)
print({g: (len(v), round(max(v), 1), round(sum(v), 1)) for g, v in by.items()}, "gc thresholds", gc.get_threshold(), "objects", len(gc.get_objects()))
print("slowest:", sorted(cpu, key=lambda x: -x[0])[:4])

"""Warm paths' company matching: one typed name against every company of an account
(tracker.domain.companies.same_companies), cold (first page after start) and warm (the keys
cached), in CPU time. Run: PYTHONPATH=$PWD python tests/perf/bench_warm_paths.py [N]."""
from __future__ import annotations

import random
import string
import sys
import time

from tracker.domain.companies import company_key, same_companies


def main(n: int = 10_000) -> None:
    rng = random.Random(1)
    names = [(i, " ".join("".join(rng.choices(string.ascii_letters, k=rng.randint(3, 9)))
                          for _ in range(rng.randint(1, 3))) + rng.choice(["", " Inc.", " GmbH", " Ltd"]))
             for i in range(n)]
    company_key.cache_clear()
    start = time.process_time()
    same_companies("Lumen Health", names)
    cold = time.process_time() - start
    start = time.process_time()
    for _ in range(20):
        same_companies("Lumen Health", names)
    warm = (time.process_time() - start) / 20
    print(f"{n} companies: cold {cold * 1000:.1f} ms, warm {warm * 1000:.1f} ms CPU per lookup")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

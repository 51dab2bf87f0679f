"""Storage put and get of one quote-sized PDF: SeaweedFS (S3 over HTTP) against the local
folder, in the same run.

    .venv/bin/python -m bench.storage --runs 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.storage.interfaces import BlobStorage
from app.storage.local import LocalBlobStorage
from app.storage.s3 import S3BlobStorage
from bench.results import Report
from tests.support.seaweedfs import SeaweedFS, s3_environment


def _median_ms(action: Callable[[], object], runs: int) -> float:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(store: BlobStorage, data: bytes, runs: int) -> tuple[float, float]:
    last = store.put("bench/doc.pdf", data, content_type="application/pdf")
    put = _median_ms(lambda: store.put("bench/doc.pdf", data, content_type="application/pdf"), runs)
    get = _median_ms(lambda: store.get(last.key, last.version_id, sha256=last.sha256), runs)
    return put, get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--kib", type=int, default=60, help="object size (a quote PDF: ~60 KiB)")
    args = parser.parse_args()
    data = os.urandom(args.kib * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        server = SeaweedFS(Path(tmp) / "seaweedfs")
        server.start()
        try:
            os.environ.update(s3_environment(server))
            s3 = S3BlobStorage(bucket=server.new_bucket(), endpoint_url=server.endpoint_url)
            s3_put, s3_get = measure(s3, data, args.runs)
            local_put, local_get = measure(LocalBlobStorage(Path(tmp) / "local"), data, args.runs)
        finally:
            server.stop()
    report = Report("bench.storage")
    report.print(f"storage, {args.kib} KiB object, median of {args.runs}:")
    for action, s3_ms, local_ms in (("put", s3_put, local_put), ("get", s3_get, local_get)):
        report.print(
            f"  {action}: SeaweedFS {s3_ms:7.2f} ms   local {local_ms:7.2f} ms   "
            f"ratio {s3_ms / local_ms:.2f}"
        )
    report.write()


if __name__ == "__main__":
    main()

"""Run by the Python of the unoserver venv (`make bench-setup`), which the project's venv is
not: bench.libreoffice starts it beside a resident unoserver. Converts each DOCX to PDF
(beside it, as NAME.warm.pdf) `--runs` times through unoserver's own client and prints
the seconds of each conversion as JSON, after one untimed conversion that warms
LibreOffice up. Indexes are not updated, as `soffice --convert-to` does not update them.

    build/unoserver/bin/python bench/uno_client.py --port 2003 --runs 3 a.docx b.docx
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from unoserver.client import UnoClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("docx", type=Path, nargs="+")
    args = parser.parse_args()
    client = UnoClient(port=args.port)

    def convert(docx: Path) -> float:
        started = time.perf_counter()
        client.convert(
            inpath=str(docx), outpath=str(docx.with_suffix(".warm.pdf")), update_index=False
        )
        return time.perf_counter() - started

    convert(args.docx[0])
    seconds = {str(docx): [convert(docx) for _ in range(args.runs)] for docx in args.docx}
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()

"""A separate analyst process for the concurrent-reader test: reads the published warehouse in a loop.

    python -m tests.reader_process <published.duckdb> <stop-file> <out.json>

Each iteration opens the file read-only, reads a fingerprint of the version it sees (mart rows,
latest load time, gaps-register rows) in one connection, and closes it. Any error ends the process
with exit code 1 and the error in the output file.
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def main() -> int:
    published, stop, out = (Path(arg) for arg in sys.argv[1:4])
    seen: list[list] = []
    reads = 0
    try:
        while not stop.exists():
            with duckdb.connect(str(published), read_only=True) as con:
                fingerprint = con.execute(
                    "select (select count(*) from fct_area_year_metrics), "
                    "(select cast(max(loaded_at) as varchar) from raw._load_log), "
                    "(select count(*) from mission_data_gaps)"
                ).fetchone()
            reads += 1
            if list(fingerprint) not in seen:
                seen.append(list(fingerprint))
            time.sleep(0.1)  # ~7 reads a second each: a read costs ~40 ms of CPU, which the refresh needs
    except Exception as exc:  # any error at all is what the test looks for
        out.write_text(json.dumps({"error": repr(exc), "reads": reads, "seen": seen}))
        return 1
    out.write_text(json.dumps({"error": None, "reads": reads, "seen": seen}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

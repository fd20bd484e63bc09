"""The baseline: a bare `requests.Session` loop doing the same checks as the collection.

    python benchmarks/bare_loop.py URL N

For each of N sequential GETs: status == 200, and jsonpath-ng `$.value[0].name` == "rg1"
(the JSONPath compiled once, as a careful engineer would). Prints the loop's own seconds
and the counts as JSON; exits 1 if any check failed.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    url, count = sys.argv[1], int(sys.argv[2])
    import requests
    from jsonpath_ng.ext.parser import parse

    path = parse("$.value[0].name")
    session = requests.Session()
    started = time.perf_counter()
    passed = failed = 0
    for _ in range(count):
        response = session.get(url)
        ok_status = response.status_code == 200
        found = [m.value for m in path.find(response.json())]
        ok_name = found == ["rg1"]
        passed += ok_status + ok_name
        failed += (not ok_status) + (not ok_name)
    loop = time.perf_counter() - started
    session.close()
    print(json.dumps({"loop_s": loop, "requests": count, "passed": passed, "failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

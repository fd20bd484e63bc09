#!/usr/bin/env bash
# Mutation testing of the pure core (issue 9): mutmut mutates runner/checks/{assertions,query,
# capture}.py and runner/resolve/{variables,render}.py ([tool.mutmut] in pyproject.toml) and
# runs the fast table-driven unit tests (tests/core/test_unit_*.py) against every mutant.
# Prints the score per module and the surviving mutants; tests/mutation.md explains each
# survivor. CPU heavy: JOBS (default 2) mutants at once; a full run takes 15-30 minutes here.
#
#   pip install -e '.[test,mutation]' && bash tests/mutation.sh
#   bash tests/mutation.sh runner.checks.query*   # only some mutants (mutmut's names)
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf mutants
# mutmut copies the project into ./mutants and runs the tests there (its log: mutants/run.log).
mkdir -p mutants
mutmut run --max-children "${JOBS:-2}" "$@" >mutants/run.log 2>&1 || {
    echo "mutmut failed; see mutants/run.log" >&2
    exit 1
}

mutmut results --all true >mutants/results.txt
python3 - <<'EOF'
import collections
import re

counts = collections.defaultdict(collections.Counter)
survivors = []
for line in open("mutants/results.txt", encoding="utf-8"):
    match = re.match(r"\s*([\w.]+?)\.x\S*__mutmut_\d+: (\w[\w ]*)", line)
    if not match:
        continue
    module, status = match.group(1), match.group(2).strip()
    counts[module][status] += 1
    if status != "killed":
        survivors.append(line.strip())
total = collections.Counter()
print(f"{'module':32} {'killed':>7} {'of':>4}  score   other")
for module in sorted(counts):
    c = counts[module]
    total.update(c)
    n = sum(c.values())
    other = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k != "killed")
    print(f"{module:32} {c['killed']:7} {n:4}  {100 * c['killed'] / n:5.1f}%  {other}")
n = sum(total.values())
if n:
    print(f"{'all':32} {total['killed']:7} {n:4}  {100 * total['killed'] / n:5.1f}%")
print("\nnot killed:")
print("\n".join(survivors) or "(none)")
EOF

"""Issue 11 point 5: `runner import` translates the library uses it can, keeps the rest.

lodash's `_.get(body, path)` reads become JSONPath assertions; JSON schema checks (tv4,
`jsonSchema`) of the response become native `schema` assertions (more in
test_postman_import_schemas.py); other library uses stay scripts with a warning naming the
library. The imported collection then runs with the same results as the Postman one.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from postman_helpers import collection, item, results, run_cli, write
from support.echo_server import EchoServers

from runner.cli import main

SCRIPT = (
    "var json = pm.response.json();",
    "pm.test('user', function () { pm.expect(_.get(json, 'args.user')).to.eql('ada'); });",
    "pm.expect(_.get(pm.response.json(), ['args', 'n'])).to.equal('3');",
    "pm.test('tv4', () => pm.expect(tv4.validate(json, {type: 'object'})).to.be.true);",
    "pm.response.to.have.jsonSchema({type: 'object', required: ['args']});",
    "pm.test('md5', () => pm.expect(CryptoJS.MD5('a').toString()).to.have.length(32));",
    "var moment = require('moment');",
    "pm.test('year', () => pm.expect(moment.utc(0).year()).to.equal(1970));",
    "pm.test('lodash', () => pm.expect(_.sum([1, 2])).to.equal(3));",
)


def kept(line: int, note: str = "") -> str:
    """Returns the warning for SCRIPT's line `line` (cut at 70 characters, as shown)."""
    code = SCRIPT[line - 1]
    shown = code if len(code) <= 70 else code[:69] + "…"
    return f"warning: get: test script line {line} kept as a script: {shown}{note}"


def test_import_translates_lodash_reads_and_keeps_library_scripts_with_warnings(
    echo: EchoServers, tmp_path: Path
) -> None:
    source = write(tmp_path, "api.postman_collection.json", collection(item("get", *SCRIPT)))
    out, err = io.StringIO(), io.StringIO()
    native_path = tmp_path / "api.json"
    assert main(["import", str(source), "-o", str(native_path)], stdout=out, stderr=err) == 0
    doc = json.loads(native_path.read_text(encoding="utf-8"))
    (req,) = doc["items"]
    # tv4 reads draft-04; a second schema of the body checks the JSONPath `$`.
    assert req["assert"] == {
        "jsonpath": {
            "$.args.user": "ada",
            "$.args.n": "3",
            "$": {"schema": {"type": "object", "required": ["args"]}},
        },
        "schema": {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"},
    }
    script = req["scripts"]["test"]
    assert "_.get" not in script and "tv4" not in script and "jsonSchema" not in script
    assert "var json" not in script  # nothing kept uses it any more
    warnings = [line for line in err.getvalue().splitlines() if "kept as a script" in line]
    uses = ": runner provides it, fetched from npm on first use)"
    assert warnings == [
        kept(6, " (uses crypto-js" + uses),
        kept(7, " (uses moment" + uses),
        kept(8),
        kept(9, " (uses lodash" + uses),
    ]
    # Both run the same: the native file's assertions and kept scripts against the server.
    status, output, report = run_cli(tmp_path, collection(item("get", *SCRIPT)), echo)
    assert status == 0, output
    assert [name for name, _ in results(report)["get"]] == ["user", "tv4", "md5", "year", "lodash"]
    argv = ["run", str(native_path), "--json", str(tmp_path / "n.json"), "--ca-bundle"]
    argv += [echo.ca_file]
    for rule in echo.connect_to:
        argv += ["--connect-to", rule]
    assert main(argv, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    native = results(json.loads((tmp_path / "n.json").read_text(encoding="utf-8")))
    # The two lodash reads and the two schema checks are native assertions now.
    assert native["get"] == [
        ("jsonpath $.args.user equals", True),
        ("jsonpath $.args.n equals", True),
        ("jsonpath $ matches schema", True),
        ("body matches schema", True),
        ("md5", True),
        ("year", True),
        ("lodash", True),
    ]

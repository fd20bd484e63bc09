"""The subcommands' arguments and help texts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TextIO, TypeVar

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]
Parser = TypeVar("Parser", bound=argparse.ArgumentParser)


def _handler(module: str, name: str) -> Handler:
    """Returns a handler that imports its module only when the command runs (fast --help)."""

    def call(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        import importlib

        func = getattr(importlib.import_module(module), name)
        return int(func(args, out, err))

    return call


def _inputs(p: argparse.ArgumentParser, *, many: bool = False) -> None:
    if many:
        p.add_argument(
            "collection",
            metavar="COLLECTION",
            nargs="+",
            help="native or Postman v2.0/v2.1 collection; several: files, a folder (its own "
            "*.json collections, by name), a quoted glob ('api/**/*.json'), - for stdin",
        )
    else:
        p.add_argument(
            "collection", metavar="COLLECTION", help="native or Postman v2.0/v2.1 collection"
        )
    p.add_argument(
        "-e", "--environment", metavar="ENV_FILE", help="environment file (native or Postman)"
    )
    p.add_argument("-g", "--globals", metavar="GLOBALS_FILE", help="globals file (same formats)")
    p.add_argument(
        "--var",
        "--env-var",  # Newman's name
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set an environment variable (wins over the files, and over the data in a native "
        "collection); repeatable",
    )
    p.add_argument(
        "--global-var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a global variable (Newman's --global-var: wins over the globals file only); "
        "repeatable",
    )
    p.add_argument("--dotenv", metavar="FILE", help="load a .env file (default: ./.env if present)")
    p.add_argument("-d", "--data", metavar="DATA_FILE", help="CSV or JSON iteration data")


def _selection(p: argparse.ArgumentParser) -> None:
    """Adds --folder, --tag, --exclude-tag and --grep: which requests run (combined with AND)."""
    s = p.add_argument_group(
        "selection",
        "Which requests run: the options combine with AND, and selecting nothing is an\n"
        "error. Tokens and scripts of the selected requests still run; a value only a\n"
        "request left out would capture is reported before anything is sent.",
    )
    s.add_argument(
        "--folder",
        action="append",
        default=[],
        metavar="PATH",
        help='a folder or request by name or path, e.g. --folder "Users/Admin" (a leading / '
        r'starts at the top; a "/" in a name is written \/); repeatable: any of them',
    )
    s.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="NAME",
        help="requests tagged NAME (a folder's tags apply to all it holds); repeatable: any",
    )
    s.add_argument(
        "--exclude-tag",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out requests tagged NAME (or inside a folder tagged NAME); repeatable",
    )
    s.add_argument(
        "--grep",
        action="append",
        default=[],
        metavar="REGEX",
        help='requests whose path "Folder/Sub/Request" matches REGEX (Python syntax, '
        "case-insensitive, searched anywhere), e.g. --grep '^Users/.*(create|delete)'; "
        "repeatable: any of them",
    )


MANY_COLLECTIONS = """\
several collections (one run, one summary, one --junit/--json/--html file):
  runner run users.json orders.json             one after the other
  runner run tests/ --jobs 4 --junit out.xml    a folder's collections, 4 at a time
  runner run 'api/**/*.json' -e dev.json        a glob, expanded by runner (quote it)
  cat api.json | runner run - b.json            - reads one collection from stdin
  A folder runs its own *.json files that are collections (native or Postman), sorted by
  name; environment, globals, data and schema files beside them are left out. -e, -g,
  --var, -d, --folder, --tag, --grep, -n, --bail and --shard apply to each collection,
  each with its own variables; --timeout is one deadline for all; tokens are shared.
  Console output of each collection is printed whole when it ends, in the order given,
  then a TOTAL line. Exit status: the worst of the collections'. --export-environment,
  --export-globals and --cookie-jar need one collection.
"""


def add_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    """Adds run, validate, import, token, demo, emulator and sandbox to the subparsers."""
    fmt = argparse.RawDescriptionHelpFormatter
    run = sub.add_parser(
        "run",
        help="run a collection",
        description="Load and validate everything, then send the requests in order, "
        "checking assertions and writing reports.",
        epilog=MANY_COLLECTIONS,
        formatter_class=fmt,
    )
    _inputs(run, many=True)
    _selection(run)
    g = run.add_argument_group("iterations")
    g.add_argument(
        "-n", "--iterations", type=int, metavar="N", help="run N iterations (cycles -d rows)"
    )
    g.add_argument(
        "--parallel", type=int, default=1, metavar="K", help="run up to K iterations at once"
    )
    g.add_argument(
        "--bail", action="store_true", help="stop at the first failed or errored request"
    )
    g.add_argument(
        "--require-assertions",
        action="store_true",
        help="fail requests that assert nothing (default: one warning names them)",
    )
    g.add_argument(
        "--shard",
        metavar="I/N",
        help="run only share I of N (1-based), e.g. one job of a CI matrix; the N shares "
        "together run every request exactly once",
    )
    g.add_argument(
        "--shard-by",
        choices=["request", "folder"],
        default="request",
        help="request: N equal runs of the request list (default); folder: keep each "
        "top-level folder whole in one shard",
    )
    g.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run up to N collections at once (several collections; default 1: in turn)",
    )
    r = run.add_argument_group("reports")
    r.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    r.add_argument(
        "--junit-layout",
        choices=["runner", "newman"],
        default="runner",
        help="runner: a testcase per request (default); newman: Newman's layout",
    )
    r.add_argument("--json", metavar="FILE", help="write the whole run as JSON")
    r.add_argument(
        "--html",
        metavar="FILE",
        help="write a self-contained HTML report (summary, timeline, failures filter)",
    )
    quiet = r.add_mutually_exclusive_group()
    quiet.add_argument(
        "-q", "--quiet", action="store_true", help="print only failures and the summary"
    )
    quiet.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every assertion, request and response (JSON pretty-printed)",
    )
    quiet.add_argument(
        "--verbose=failures",
        dest="verbose_failures",
        action="store_true",
        help="print the requests and responses of failed requests only",
    )
    r.add_argument(
        "--curl", action="store_true", help="print each request as a curl command (masked)"
    )
    r.add_argument(
        "--export-environment",
        metavar="FILE",
        help="write the environment as the run left it (with captures) for the next run",
    )
    r.add_argument(
        "--export-globals", metavar="FILE", help="write the globals as the run left them"
    )
    r.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="live progress line (done/total, failures, request in flight, ETA); auto: on a "
        "terminal outside CI",
    )
    r.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the console (auto: on a terminal, unless NO_COLOR is set or TERM=dumb; "
        "FORCE_COLOR forces it)",
    )
    h = run.add_argument_group("HTTP")
    h.add_argument(
        "--timeout",
        type=int,
        metavar="MS",
        help="deadline for the whole run: what is in flight then (a request, a wait, a script) "
        "is cut off and fails, what has not run is skipped (exit 1); 0: no limit (the default)",
    )
    h.add_argument(
        "--timeout-request",
        type=int,
        metavar="MS",
        help="deadline for each whole request: connect, send, headers and body; 0: no limit "
        "(the default)",
    )
    h.add_argument(
        "--delay-request",
        type=int,
        default=0,
        metavar="MS",
        help="pause between every two consecutive requests of the run",
    )
    h.add_argument(
        "--retry", type=int, default=0, metavar="N", help="retry 429/503/resets up to N times"
    )
    h.add_argument(
        "--retry-max-wait",
        type=int,
        metavar="MS",
        help="longest wait before a retry, whatever Retry-After asks (default 10000)",
    )
    h.add_argument("--insecure", "-k", action="store_true", help="do not verify TLS certificates")
    h.add_argument("--ca-bundle", metavar="FILE", help="trusted CA certificates (PEM)")
    h.add_argument(
        "--cert",
        "--ssl-client-cert",  # Newman's names
        dest="cert",
        metavar="FILE",
        help="client certificate for mutual TLS: PEM (with the key, or see --key) or "
        "PKCS#12 (.p12/.pfx); a `certificate` in the collection wins for its requests",
    )
    h.add_argument(
        "--key",
        "--ssl-client-key",
        dest="key",
        metavar="FILE",
        help="the client certificate's private key (PEM)",
    )
    h.add_argument(
        "--cert-password",
        "--ssl-client-passphrase",
        dest="cert_password",
        metavar="PASSWORD",
        help="password of an encrypted key or PKCS#12 file (a secret: never shown)",
    )
    h.add_argument(
        "--ssl-client-cert-list",
        metavar="FILE",
        help="Newman's list of client certificates chosen by URL: a JSON array of {name, "
        "matches: [URL patterns], cert/key/pfx: {src}, passphrase}; the first match wins",
    )
    h.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="H:P:H2:P2",
        help="send requests for H:P to H2:P2, URL and Host unchanged; repeatable",
    )
    h.add_argument("--ignore-redirects", action="store_true", help="do not follow redirects")
    h.add_argument(
        "--no-cookies",
        action="store_true",
        help="keep no cookie jar: no request sends the cookies others were set, none are kept",
    )
    h.add_argument(
        "--cookie-jar",
        metavar="FILE",
        help="read cookies from FILE (Netscape cookies.txt, as curl -b/-c and Hurl) before the "
        "run and write the jar back to it after, even on failure or Ctrl-C (missing: created)",
    )
    h.add_argument(
        "--working-dir",
        metavar="DIR",
        help="where relative body/upload file paths start (Postman files: default the current "
        "directory, as in Newman; native: the collection's folder)",
    )
    h.add_argument(
        "--module-path",
        action="append",
        default=[],
        metavar="DIR",
        help="where scripts' require() looks for node_modules",
    )
    h.add_argument(
        "--timeout-script",
        type=int,
        default=5000,
        metavar="MS",
        help="time limit of each script (default 5000); 0: no limit",
    )
    run.set_defaults(handler=_handler("runner.cli.commands.run", "run_command"))

    load = sub.add_parser(
        "load",
        help="load-test: run the collection's requests as Locust users",
        description="Run the collection as N Locust users (each user loops through the "
        "requests, with its own captures; tokens are shared per credential), then print "
        "requests, req/s, p50/p95/p99 and failures by request. Assertion failures count as "
        "Locust failures. Needs the extra: pip install 'runner[load]'.",
        epilog="examples:\n"
        "  runner load api.json -e dev.json --users 20 --spawn-rate 5 --run-time 1m\n"
        "  runner load api.json -e dev.json --master --expect-workers 2 --users 100 "
        "--run-time 5m\n"
        "  runner load api.json -e dev.json --worker --master-host 10.0.0.5",
        formatter_class=fmt,
    )
    _inputs(load)
    _selection(load)
    lg = load.add_argument_group("load")
    lg.add_argument("-u", "--users", type=int, default=1, metavar="N", help="users (default 1)")
    lg.add_argument(
        "-r",
        "--spawn-rate",
        type=float,
        default=1.0,
        metavar="R",
        help="users started per second (default 1)",
    )
    lg.add_argument(
        "-t", "--run-time", metavar="TIME", help="how long to run: 30s, 5m, 1h30m (required)"
    )
    lg.add_argument(
        "--think-time", type=int, default=0, metavar="MS", help="pause between a user's passes"
    )
    lg.add_argument("--csv", metavar="PREFIX", help="write Locust's CSV files PREFIX_stats.csv…")
    lg.add_argument("--html", metavar="FILE", help="write Locust's HTML report")
    dist = load.add_argument_group("distributed (Locust master and workers)")
    roles = dist.add_mutually_exclusive_group()
    roles.add_argument("--master", action="store_true", help="coordinate workers; run none")
    roles.add_argument("--worker", action="store_true", help="run users for a master")
    dist.add_argument(
        "--master-host", default="127.0.0.1", metavar="H", help="the master (for --worker)"
    )
    dist.add_argument("--master-port", type=int, default=5557, metavar="P", help="default 5557")
    dist.add_argument(
        "--master-bind-host",
        default="*",
        metavar="H",
        help="interface the master listens on (default: all)",
    )
    dist.add_argument(
        "--expect-workers",
        type=int,
        default=1,
        metavar="K",
        help="the master starts once K workers are connected",
    )
    lh = load.add_argument_group("HTTP")
    lh.add_argument(
        "--timeout-request",
        type=int,
        metavar="MS",
        help="deadline for each whole request; 0: no limit (the default)",
    )
    lh.add_argument("--retry", type=int, default=0, metavar="N", help="retry 429/503/resets")
    lh.add_argument("--insecure", "-k", action="store_true", help="do not verify TLS")
    lh.add_argument("--ca-bundle", metavar="FILE", help="trusted CA certificates (PEM)")
    lh.add_argument(
        "--connect-to", action="append", default=[], metavar="H:P:H2:P2", help="as in run"
    )
    load.set_defaults(handler=_handler("runner.cli.commands.load", "load_command"))

    validate = sub.add_parser(
        "validate",
        help="check a collection and its inputs; send nothing",
        description="Load and check the collection, environment, globals and data: schema, "
        "variables, files. Exits 0 when valid, 2 otherwise.",
    )
    _inputs(validate, many=True)
    validate.set_defaults(handler=_handler("runner.cli.commands.run", "validate_command"))

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of collections, environments or the JSON report",
        description="Print (or write with -o) a JSON Schema that ships with runner, for "
        'editor completion and checks: point a file\'s "$schema" at the written file.',
        epilog="example:\n  runner schema collection -o .schemas/collection.schema.json\n"
        '  then in api.json: "$schema": "./.schemas/collection.schema.json"\n'
        "  runner schema report -o out/report.schema.json\n"
        '  then every --json report written into out/ says "$schema": "./report.schema.json"',
        formatter_class=fmt,
    )
    schema.add_argument("name", choices=["collection", "environment", "report"])
    schema.add_argument("-o", "--output", metavar="FILE", help="where to write (default: stdout)")
    schema.set_defaults(handler=_handler("runner.cli.commands.schema", "schema_command"))

    imp = sub.add_parser(
        "import",
        help="convert a Postman collection or environment to native JSON",
        description="Write the native equivalent of a Postman v2.0/v2.1 collection or "
        "environment, with a warning for each script piece kept as a script.",
    )
    imp.add_argument("postman_file", metavar="POSTMAN_FILE")
    imp.add_argument("-o", "--output", metavar="OUT_FILE", help="where to write (default: stdout)")
    imp.set_defaults(handler=_handler("runner.cli.commands.importer", "import_command"))

    export = sub.add_parser(
        "export",
        help="write a collection as code (a pytest module)",
        description="Write a readable pytest module from a native or Postman collection: one "
        "test per request (folders as classes), requests calls through a session fixture, "
        "plain asserts, captures as variables, tokens as fixtures. Script code that cannot be "
        "translated stays as comments, with a warning.",
        epilog="example:\n  runner export pytest api.json -e dev.json -o tests/test_api.py\n"
        "  EMULATORURL=... pytest tests/test_api.py   # variables from the environment",
        formatter_class=fmt,
    )
    export.add_argument("format", choices=["pytest"], help="what to write (pytest)")
    export.add_argument("collection", metavar="COLLECTION", help="native or Postman collection")
    export.add_argument("-o", "--output", metavar="FILE", help="where to write (default: stdout)")
    export.add_argument(
        "-e",
        "--environment",
        metavar="ENV_FILE",
        help="take variable defaults from this environment (its secrets are never written)",
    )
    export.add_argument(
        "--token-from",
        choices=["runner", "azure-identity"],
        default="runner",
        help="how token fixtures get tokens: runner.get_token (default) or azure-identity",
    )
    export.set_defaults(handler=_handler("runner.cli.commands.export", "export_command"))

    token = sub.add_parser(
        "token",
        help="get a token and show its response and decoded claims",
        description="Acquire the token the collection's (or auth file's) auth describes, print "
        "the token response with the token masked, and the token's decoded claims.",
    )
    token.add_argument("source", metavar="COLLECTION_OR_AUTH_FILE")
    token.add_argument("-e", "--environment", metavar="ENV_FILE")
    token.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    token.add_argument("--dotenv", metavar="FILE")
    token.add_argument("--show-token", action="store_true", help="print the access token itself")
    token.add_argument("--insecure", "-k", action="store_true")
    token.add_argument("--ca-bundle", metavar="FILE")
    token.set_defaults(handler=_handler("runner.cli.commands.token", "token_command"))

    demo = sub.add_parser(
        "demo",
        help="run the bundled collections against the built-in emulator",
        description="Start the Entra ID/ARM/Graph emulator on a free port, run the bundled "
        "collections against it and print the report. Needs no Azure account.",
    )
    demo.add_argument(
        "--junit",
        metavar="FILE",
        help="JUnit reports, one per bundled collection: out.xml writes out-1.xml, out-2.xml …",
    )
    demo.add_argument(
        "--json",
        metavar="FILE",
        help="JSON reports, one per bundled collection: out.json writes out-1.json …",
    )
    demo.add_argument(
        "--tls",
        action="store_true",
        help="serve the emulator over https with the local CA (see `runner emulator --tls`)",
    )
    demo.set_defaults(handler=_handler("runner.cli.commands.demo", "demo_command"))

    emu = sub.add_parser(
        "emulator",
        help="serve the local Entra ID / ARM / Graph emulator",
        description="Serve the emulator on 127.0.0.1 until Ctrl-C.",
    )
    emu.add_argument("--port", type=int, default=0, metavar="N", help="port (default: a free one)")
    emu.add_argument("--config", metavar="FILE", help="tenants, apps, secrets and roles (JSON)")
    emu.add_argument("--token-lifetime", type=int, metavar="SECONDS", help="access token lifetime")
    emu.add_argument(
        "--tls",
        action="store_true",
        help="serve https with a local CA kept in the user cache (~/.cache/runner/emulator-tls); "
        "prints the CA file to trust. Its certificate also names login.microsoftonline.com, "
        "management.azure.com and graph.microsoft.com, for --connect-to",
    )
    emu.set_defaults(handler=_handler("runner.cli.commands.emulator", "emulator_command"))

    _sandbox(sub)


def _sandbox(sub: argparse._SubParsersAction[Parser]) -> None:
    """Adds `sandbox install` and `sandbox list` (the libraries Postman scripts can use)."""
    sandbox = sub.add_parser(
        "sandbox",
        help="fetch the npm libraries Postman scripts use (lodash, CryptoJS, moment, chai...)",
        description="Postman's sandbox gives scripts lodash, crypto-js, moment, chai, ajv, tv4, "
        "cheerio, xml2js, csv-parse, postman-collection and Node's built-ins. runner fetches "
        "the same npm packages, pinned by version and sha512 integrity, into a cache on first "
        "use; `install` fetches them all now (for CI images and offline use).",
    )
    actions = sandbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, handler, text in (
        ("install", "install_command", "download and verify every pinned library"),
        ("list", "list_command", "show what scripts can require and what is cached"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument(
            "--cache-dir",
            metavar="DIR",
            help="where to keep them (default: $RUNNER_SANDBOX_CACHE, else "
            "$XDG_CACHE_HOME/runner/sandbox; runs use the same variables)",
        )
        action.add_argument(
            "--registry",
            metavar="URL",
            help="npm registry or mirror (default: $npm_config_registry, else "
            "https://registry.npmjs.org/)",
        )
        action.set_defaults(handler=_handler("runner.cli.commands.sandbox", handler))

"""`runner load`: a collection's requests as Locust users, locally or distributed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from runner.errors import InputError


def load_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Runs the load test; returns 0, 1 when a request failed, or 2 for invalid input."""
    try:
        from gevent import monkey
    except ImportError:
        raise InputError(
            "runner load needs Locust, which is not installed",
            hint="pip install 'runner[load]'",
        ) from None
    # Locust's users are greenlets: the standard library must cooperate before the transport
    # (requests, ssl, sockets) is imported.
    monkey.patch_all()
    from locust.util.timespan import parse_timespan

    from runner.api import check_timeouts, load_inputs
    from runner.cli.commands.inputs import input_arguments
    from runner.engine.options import RunOptions, Selection
    from runner.engine.session import base_scope, build_masker
    from runner.transport.http import parse_connect_to

    role = "master" if args.master else "worker" if args.worker else "local"
    if args.users < 1:
        raise InputError(f"--users must be at least 1, got {args.users}")
    if args.spawn_rate <= 0:
        raise InputError(f"--spawn-rate must be more than 0, got {args.spawn_rate}")
    if args.expect_workers < 1:
        raise InputError(f"--expect-workers must be at least 1, got {args.expect_workers}")
    run_time = None
    if args.run_time is not None:
        try:
            run_time = float(parse_timespan(args.run_time))
        except ValueError:
            raise InputError(
                f"--run-time {args.run_time}: not a duration", hint="e.g. 30s, 5m, 1h30m"
            ) from None
    elif role != "worker":
        raise InputError(
            "--run-time is required (the load runs until then)", hint="e.g. --run-time 1m"
        )
    check_timeouts(timeout_request=args.timeout_request)
    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise InputError(f"--ca-bundle {args.ca_bundle}: file not found")
    inputs = load_inputs(**input_arguments(args))
    for warning in inputs.warnings:
        err.write(f"warning: {warning}\n")
    options = RunOptions(
        data=inputs.data,
        selection=Selection(
            tuple(args.folder), tuple(args.tag), tuple(args.exclude_tag), tuple(args.grep)
        ),
        timeout_request_ms=args.timeout_request,
        retries=args.retry,
        insecure=args.insecure,
        ca_bundle=args.ca_bundle,
        connect_to=dict(parse_connect_to(s) for s in args.connect_to),
        keep_results=False,
        keep_exchange=False,
        certificates=inputs.certificates,
    )
    masker = build_masker(
        inputs.collection, inputs.environment, inputs.globals_env, inputs.variables
    )
    for password in inputs.certificate_passwords:
        masker.add(password)
    base = base_scope(inputs.collection, inputs.environment, inputs.globals_env, inputs.variables)
    from runner.loadtest.locust_mode import LoadOptions, run_load

    load = LoadOptions(
        users=args.users,
        spawn_rate=args.spawn_rate,
        run_time_s=run_time,
        role=role,
        master_host=args.master_host,
        master_port=args.master_port,
        master_bind_host=args.master_bind_host,
        expect_workers=args.expect_workers,
        csv_prefix=args.csv,
        html=args.html,
        think_time_ms=args.think_time,
    )
    return run_load(inputs.collection, base, options, load, masker, out)

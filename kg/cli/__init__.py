"""The `ccus-kg` command line: one click group, a module per command group.

Command bodies call `kg.*` and translate errors into messages and exit
codes (0 ok, 1 the data has violations, 2 bad usage or unreadable input).
"""

from __future__ import annotations

import click

from kg.runtime import collector_paused

from .build_cmd import build_command, export_command
from .lineage_cmd import analyze_command, in_force_command, lineage_command
from .profile_cmd import profile_command
from .push_cmd import push_command
from .query_cmd import query_command
from .serve_cmd import serve_command
from .validate_cmd import validate_command

LONG_RUNNING = frozenset({"serve"})  # commands whose process lives on: the cycle collector stays on


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ccus-kg", prog_name="ccus-kg")
@click.pass_context
def main(ctx: click.Context) -> None:
    """ccus-kg: a knowledge graph of CCUS policy instruments.

    Example: ccus-kg build --seeds seeds
    """
    if ctx.invoked_subcommand not in LONG_RUNNING:
        # The process is the command's: a batch run pauses the cycle collector (kg.runtime says why);
        # library code never does, so a program that imports kg keeps its own setting.
        ctx.with_resource(collector_paused())


main.add_command(build_command)
main.add_command(export_command)
main.add_command(validate_command)
main.add_command(query_command)
main.add_command(serve_command)
main.add_command(push_command)
main.add_command(lineage_command)
main.add_command(in_force_command)
main.add_command(analyze_command)
main.add_command(profile_command)

__all__ = ["main"]

"""The `genrelens` console script: Django's management commands under one friendly name.

`genrelens import FILE` is `django-admin import FILE` with the settings already chosen; `genrelens`
alone, `genrelens --help` or `genrelens help` list what genrelens adds, with one line each.
"""

from __future__ import annotations

import os
import sys

#: Commands genrelens adds, in the order a new user meets them.
OUR_COMMANDS = ("migrate", "import", "login", "collect", "train", "evaluate", "predict", "report", "analyze",
                "sandbox", "serve", "worker", "beat", "jobs", "refresh-tastes", "taste", "guests", "rotate_keys")


def _overview() -> str:
    from django.core.management import get_commands, load_command_class

    lines = ["usage: genrelens COMMAND [options]   (genrelens COMMAND --help for a command's options)", "",
             "Commands:"]
    commands = get_commands()
    for name in OUR_COMMANDS:
        if name in commands:
            help_text = load_command_class(commands[name], name).help.strip().splitlines()[0]
            lines.append(f"  {name:<10} {help_text}")
    lines += ["", "Django's own commands (createsuperuser, shell, dbshell, ...) work too: genrelens help --all"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import execute_from_command_line

    if not args or args in (["--help"], ["-h"], ["help"]):
        django.setup()
        print(_overview())
        return
    if args == ["help", "--all"]:
        args = ["help"]
    from django.db import DatabaseError

    try:
        execute_from_command_line(["genrelens", *args])
    except DatabaseError:
        # a new install that skipped `migrate` would otherwise meet "no such table: ..." in a traceback
        if args[0] != "migrate" and _unmigrated():
            sys.exit(f"genrelens {args[0]}: the database is not set up for this version of genrelens yet: "
                     "run `genrelens migrate` first")
        raise


def _unmigrated() -> bool:
    """True when the database lacks migrations this code needs (new, or behind an upgrade)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:  # the database itself cannot be read: not a missing migration
        return False


if __name__ == "__main__":
    main()

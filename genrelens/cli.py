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
    execute_from_command_line(["genrelens", *args])


if __name__ == "__main__":
    main()

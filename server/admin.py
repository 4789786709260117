"""Teacher accounts from the command line, for a server without a browser at hand:

    python -m server.admin create-teacher "Ms Kim"          # asks for the password twice
    python -m server.admin create-teacher "Ms Kim" --admin  # an administrator
    python -m server.admin reset-password "Ms Kim"
    python -m server.admin disable "Mr Lee"  |  enable "Mr Lee"
    python -m server.admin list

The first teacher made on a server is always its administrator. `--password-stdin` reads the
password from standard input instead of asking (for scripts). It uses the server's database
(`PROMPTMATCH_DATABASE_URL`, or `--database-url`).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from config import load_settings
from db.models import Teacher
from db.session import open_database
from game.accounts import create_teacher_unchecked, manage_by_name
from game.errors import GameError
from ui.i18n import translate


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("The two passwords are not the same.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.admin", description="Prompt Match teacher accounts")
    parser.add_argument("--database-url", default=None)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-teacher", help="add a teacher (the first one is the administrator)")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--password-stdin", action="store_true")
    reset = commands.add_parser("reset-password", help="set a teacher's password (signs them out)")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable"):
        commands.add_parser(name, help=f"{name} a teacher's account").add_argument("name")
    commands.add_parser("list", help="every teacher")
    args = parser.parse_args(argv)

    database = open_database(args.database_url or load_settings().database_url)
    try:
        with database.write() as session:
            if args.command == "create-teacher":
                teacher = create_teacher_unchecked(session, args.name, _password(args), admin=args.admin)
                role = "administrator" if teacher.is_admin else "teacher"
                print(f"Created {role} {teacher.name!r}: they can sign in at /signin.")
            elif args.command == "reset-password":
                manage_by_name(session, args.name, password=_password(args))
                print(f"New password set for {args.name!r}; their sessions ended.")
            elif args.command in ("disable", "enable"):
                manage_by_name(session, args.name, disabled=args.command == "disable")
                print(f"{args.name!r} {args.command}d.")
            else:
                for row in session.scalars(select(Teacher).order_by(Teacher.id)):
                    marks = [m for m, on in (("admin", row.is_admin), ("disabled", row.disabled)) if on]
                    print(row.name + (f"  ({', '.join(marks)})" if marks else ""))
    except GameError as error:  # the rule's own message, in English
        print(translate("en", error.key, **error.params), file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

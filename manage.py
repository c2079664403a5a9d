#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
    # A local install's commands reach the database and queue of the site `make run` serves (var/local.env).
    from paperhub.local_env import point_at_local_file

    point_at_local_file()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""Serve the recorded upstream responses on their own, for trying a local site offline.

    python -m tests.fake_upstream [--port 8765] >> var/local.env

prints the settings that point PaperHub's clients here (in the local configuration file's format) and serves
until Ctrl-C. Any DOI under 10.5555/demo. is answered with a real recording, its DOI substituted.
"""

import argparse
import sys
import time

from .server import FakeUpstream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    fake = FakeUpstream(port=args.port).start()
    fake.serve_template("10.5555/demo.")
    for name, value in fake.env().items():
        print(f"{name}={value}")
    sys.stdout.flush()
    print(f"Fake upstream on {fake.url} (Ctrl-C stops it)", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()

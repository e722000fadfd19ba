#!/usr/bin/env python3
"""Build the example bundles under examples/<scenario>/ (deterministic; safe to rerun).

usage: scripts/examples/build.py [--out examples] [SCENARIO ...]
Never touches examples/deploy/.
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import scenarios1  # noqa: E402,F401
try:
    import scenarios2  # noqa: E402,F401
except ImportError:
    pass
import scenarios_ci  # noqa: E402,F401
import scenarios_graph  # noqa: E402,F401
import scenarios_sigs  # noqa: E402,F401

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "examples"))
    ap.add_argument("only", nargs="*")
    a = ap.parse_args()
    for fn in common.SCENARIOS:
        b = fn()
        if a.only and b.name not in a.only:
            continue
        assert b.name != "deploy"
        d = os.path.join(a.out, b.name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        n = b.write(d)
        print("%-28s %8d bytes  %s" % (b.name, n, b.expected["category"]))


if __name__ == "__main__":
    main()

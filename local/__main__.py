"""`python -m local demo|up|down|serve` (the Makefile's local, local-up and local-down)."""

from __future__ import annotations

import sys

from local import background, demo

COMMANDS = {"demo": demo.main, "up": background.up, "down": background.down}
COMMANDS["serve"] = background.serve

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        print(f"usage: python -m local {'|'.join(COMMANDS)}")
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]]())

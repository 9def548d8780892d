import sys

from r1kit.cli import main

if __name__ == "__main__":  # reward worker processes (spawn) import this module without running it
    sys.exit(main())

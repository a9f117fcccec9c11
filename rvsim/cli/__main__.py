import sys

from rvsim.cli import main

sys.exit(main())

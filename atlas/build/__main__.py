"""``python -m atlas.build``: rebuild the data package from ../shared (see `atlas.build.pipeline`)."""
import sys

from .pipeline import main

sys.exit(main())

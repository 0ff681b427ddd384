"""``python -m service.knowledge [DIR]``: validate the datasets and print their counts."""

import sys
from pathlib import Path

from service.knowledge.loader import KnowledgeError, load_knowledge


def main() -> int:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(kb.version, kb.counts())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

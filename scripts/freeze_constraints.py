"""Write constraints/last-green.txt: the installed versions of the project's dependency tree.

Run it after a green test run (`python3 -m pytest`); anyone can then reproduce that run with
`python3 -m pip install -c constraints/last-green.txt -e ".[test,server]"`. Only the packages
the project pulls in are listed (its requirements, their requirements, and so on), not
whatever else happens to be installed on the machine.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("test", "server")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(dist: metadata.Distribution, extras: tuple[str, ...]) -> list[Requirement]:
    wanted = []
    for text in dist.requires or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in ("", *extras)):
            wanted.append(requirement)
    return wanted


def dependency_tree(project: str, extras: tuple[str, ...]) -> dict[str, str]:
    """Name → installed version for the project's requirements, followed transitively."""
    pinned: dict[str, str] = {}
    queue = _requirements(metadata.distribution(project), extras)
    while queue:
        requirement = queue.pop()
        name = _canonical(requirement.name)
        if name in pinned:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform (a marker) or an optional part left out
        pinned[name] = dist.version
        queue.extend(_requirements(dist, tuple(requirement.extras)))
    return pinned


def main() -> int:
    pinned = dependency_tree("hebi-desktop", EXTRAS)
    lines = [f"{name}=={version}" for name, version in sorted(pinned.items())]
    target = ROOT / "constraints" / "last-green.txt"
    header = (
        "# Versions of the last green run of the test suite "
        "(scripts/freeze_constraints.py).\n"
        f'# Reproduce: python3 -m pip install -c {target.relative_to(ROOT)} -e ".[test]"\n'
    )
    target.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} packages -> {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

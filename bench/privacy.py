"""Time the privacy check on 20,000-character posts (issue 16: median under 50 ms).

    python -m bench.privacy [--runs 40]

The posts are whole labelled posts (tests/data/privacy_posts_labelled.txt) laid
end to end, in several orders, so names recur as they do in a long story. Prints
the median and the slowest run, wall clock and CPU time; the suite does not time anything.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from forum.privacy import find_identifiers
from tests.privacy_eval import load

SIZE = 20_000


def long_posts(count: int) -> list[str]:
    texts = [p.text for p in load()]
    rng = random.Random(16)
    out = []
    for _ in range(count):
        rng.shuffle(texts)
        out.append("\n\n".join(texts)[:SIZE])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    posts = long_posts(args.runs)
    find_identifiers(posts[0])  # first use loads the name list
    wall, cpu = [], []
    for post in posts:
        t0, c0 = time.perf_counter(), time.process_time()
        find_identifiers(post)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    # CPU time too: on a busy shared machine the wall clock also counts other processes.
    print(f"{len(posts)} posts of {SIZE:,} characters: median {statistics.median(wall):.1f} ms "
          f"(CPU {statistics.median(cpu):.1f} ms), slowest {max(wall):.1f} ms "
          f"(CPU {max(cpu):.1f} ms)")


if __name__ == "__main__":
    main()

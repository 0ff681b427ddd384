"""uvicorn vs granian for this service: interleaved rounds of bench/soak.py, medians.

    scripts/run --with granian python bench/compare_servers.py [--rounds 5] [--requests 20000]

Each round runs both servers (order alternating), one worker each, started by soak.py on
a free loopback port, the same realistic /v1/check body and connection count. With
``--pin`` (the default) the server is pinned to CPU 1 and the client to CPU 0, which is
what a pod with a one-CPU limit gives the server; ``--no-pin`` lets both use every core.
Prints the medians as a markdown table (throughput, p50, p99, server CPU per request,
RSS at the end). Bounded: at most 20 rounds of at most 200,000 requests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SOAK = Path(__file__).resolve().parent / "soak.py"
SERVERS = ("uvicorn", "granian")


def one(server: str, requests: int, pin: bool, out: Path) -> dict[str, object]:
    command = [
        sys.executable, str(SOAK), "--spawn", "--server", server, "--requests", str(requests),
        "--concurrency", "8", "--warmup", "2000", "--samples", "2", "--json", str(out),
    ]  # fmt: skip
    if pin:
        command += ["--server-cpus", "1", "--client-cpus", "0"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    result: dict[str, object] = json.loads(out.read_text())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    if not (1 <= args.rounds <= 20 and 1 <= args.requests <= 200_000):
        parser.error("at most 20 rounds of at most 200,000 requests")
    results: dict[str, list[dict[str, object]]] = {server: [] for server in SERVERS}
    with tempfile.TemporaryDirectory() as work:
        for round_ in range(args.rounds):
            order = SERVERS if round_ % 2 == 0 else SERVERS[::-1]
            for server in order:
                result = one(server, args.requests, args.pin, Path(work) / f"{server}.json")
                results[server].append(result)
                print(
                    f"round {round_ + 1} {server}: {result['throughput_rps']} req/s, "
                    f"{result['server_cpu_ms_per_request']} ms CPU/request",
                    file=sys.stderr,
                )

    def median(server: str, pick: str) -> float:
        values: list[float] = []
        for result in results[server]:
            value: object = result
            for key in pick.split("."):
                assert isinstance(value, dict)
                value = value[key]
            if isinstance(value, list):
                value = value[-1]
            assert isinstance(value, int | float)
            values.append(float(value))
        return statistics.median(values)

    pinned = "server pinned to 1 CPU" if args.pin else "no pinning"
    print(f"| Server ({pinned}) | Throughput | p50 | p99 | CPU per request | RSS |")
    print("|---|---|---|---|---|---|")
    for server in SERVERS:
        print(
            f"| {server} | {median(server, 'throughput_rps'):,.0f} req/s "
            f"| {median(server, 'latency_ms.p50'):.1f} ms "
            f"| {median(server, 'latency_ms.p99'):.1f} ms "
            f"| {median(server, 'server_cpu_ms_per_request'):.2f} ms "
            f"| {median(server, 'rss_kib.samples') / 1024:.0f} MB |"
        )
    errors = sum(int(str(r["errors"])) for rs in results.values() for r in rs)
    print(f"\n{args.rounds} rounds x {args.requests} requests per server; errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

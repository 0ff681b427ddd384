"""The batch line function on a real Dask cluster (distributed scheduler, two worker
processes on 127.0.0.1): same output as the CLI, knowledge loaded once per worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from service.batch.dask import KnowledgePlugin, check_files
from service.batch.partition import knowledge_loads

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_dask_output_equals_the_cli_output(
    dask_client: Client, batch_2k: Path, cli_2k: bytes, tmp_path: Path
) -> None:
    dask_client.register_plugin(KnowledgePlugin())
    # Small blocks: several partitions, so line numbers must carry across them.
    written = check_files(str(batch_2k), str(tmp_path / "out"), blocksize=150_000)
    assert len(written) > 2
    files = sorted((tmp_path / "out").glob("*.ndjson"))
    assert b"".join(f.read_bytes() for f in files) == cli_2k
    loads = dask_client.run(knowledge_loads)
    assert len(loads) == 2
    assert set(loads.values()) == {1}

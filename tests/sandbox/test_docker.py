"""The docker backend against a real, private engine (skipped where dockerd cannot start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from toolgym.sandbox import DockerSandbox, ExecutionError, Limits, SandboxError, make_sandbox

# One private engine at a time: under pytest-xdist these tests share one worker.
pytestmark = pytest.mark.xdist_group("dockerd")

docker = pytest.importorskip("docker", reason="the docker SDK is not installed")

from tests.sandbox.dockerd import Unavailable, engine  # noqa: E402

LIMITS = Limits(
    timeout_seconds=5,
    memory_bytes=256 << 20,
    processes=32,
    file_size_bytes=8 << 20,
    disk_bytes=32 << 20,
    output_bytes=4096,
)


def test_no_engine_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(SandboxError, match="no Docker engine is reachable") as err:
        DockerSandbox("python:3", base_url=f"unix://{tmp_path}/missing.sock")
    assert "\n" not in str(err.value)


def test_docker_is_chosen_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLGYM_SANDBOX", "docker")
    monkeypatch.delenv("TOOLGYM_DOCKER_IMAGE", raising=False)
    with pytest.raises(SandboxError, match="TOOLGYM_DOCKER_IMAGE"):
        make_sandbox()
    with pytest.raises(SandboxError, match="unknown sandbox backend"):
        make_sandbox(backend="vm")


@pytest.fixture(scope="module")
def private_engine() -> Iterator[tuple[str, str]]:
    try:
        running = engine()
        found = next(running)
    except Unavailable as exc:
        pytest.skip(str(exc))
    yield found
    for _ in running:
        pass


# Containers share the host's users, and the kernel counts the process limit per user: the
# fork bomb below runs as a uid of its own, so it never starves sandboxes of other tests.
UID = 64103


@pytest.fixture
def box(private_engine: tuple[str, str]) -> Iterator[DockerSandbox]:
    base_url, image = private_engine
    sandbox = DockerSandbox(image, LIMITS, base_url=base_url, spare=False, uid=UID)
    yield sandbox
    sandbox.close()


@pytest.mark.slow
def test_missing_image_is_one_clear_error(private_engine: tuple[str, str]) -> None:
    with pytest.raises(SandboxError, match="does not exist"):
        DockerSandbox("toolgym-no-such-image", base_url=private_engine[0])


@pytest.mark.slow
def test_warm_worker_and_workspace(box: DockerSandbox) -> None:
    box.reset({"data.txt": b"hello"})
    assert box.execute("x = open('data.txt').read()").error is None
    assert box.execute("x.upper()").value == "'HELLO'"
    assert box.execute("import os; os.getuid(), os.getcwd()").value == f"({UID}, '/workspace')"
    box.execute("open('out.txt', 'w').write('from the container')")
    assert box.workspace.read_bytes("out.txt") == b"from the container"
    done = box.run(["python", "-c", "import sys; print('hi'); sys.exit(4)"])
    assert (done.exit_code, done.stdout) == (4, "hi\n")


@pytest.mark.slow
def test_containment(box: DockerSandbox) -> None:
    net = box.execute("import socket; socket.create_connection(('1.1.1.1', 53), timeout=1)")
    assert net.error is not None and "unreachable" in net.error
    ro = box.execute("open('/usr/escape', 'w')")
    assert ro.error is not None and "Read-only" in ro.error
    fork = box.execute(
        "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(1)\n            os._exit(0)\n        n += 1\n"
        "except OSError as e:\n    print(n, e.errno)"
    )
    forked, errno = fork.stdout.split()
    assert int(forked) < LIMITS.processes and errno == "11"
    big = box.execute("open('big', 'wb').write(b'0' * (20 << 20))")
    assert big.error is not None and "File too large" in big.error
    flood = box.execute("print('x' * 100_000)")
    assert "truncated" in flood.stdout and len(flood.stdout) < 5000
    with pytest.raises(ExecutionError) as err:
        box.execute("blocks = [bytearray(32 << 20) for _ in range(64)]")
    assert err.value.reason == "crashed"
    assert box.execute("1 + 1").value == "2"


@pytest.mark.slow
def test_timeout_and_cleanup(box: DockerSandbox, private_engine: tuple[str, str]) -> None:
    with pytest.raises(ExecutionError) as err:
        box.execute("while True:\n    pass", timeout=1)
    assert err.value.reason == "timeout"
    assert box.execute("'fresh'").value == "'fresh'"
    slow = box.run(["python", "-c", "import time; time.sleep(60)"], timeout=1)
    assert slow.timed_out
    box.close()
    client = docker.DockerClient(base_url=private_engine[0])
    assert client.containers.list(all=True, filters={"label": "toolgym.sandbox"}) == []

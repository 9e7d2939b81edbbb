"""What the fakes serving on a loopback TestServer share."""

from aiohttp.test_utils import TestServer


def started(server: TestServer | None) -> TestServer:
    """A fake's server: a fake is used between its start() and its close()."""
    if server is None:
        raise RuntimeError("the fake is not started: await its start() first")
    return server

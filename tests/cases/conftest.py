"""The worker fixtures (a queue of this test's own on the test Redis, real arq worker
processes) for the retention test."""

from tests.workers.conftest import arq_queue, queue_name, workers  # noqa: F401

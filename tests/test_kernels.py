"""Spec: warm kernels kept per thread, started ahead, replaced when broken (evalkit.kernels)."""

import threading

import psutil
import pytest

from evalkit import kernels


def kernel_processes() -> list[psutil.Process]:
    return [
        p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())
    ]


@pytest.fixture(autouse=True)
def no_kernel_left():
    yield
    kernels.shutdown()
    assert kernel_processes() == []


def test_a_thread_keeps_its_kernel():
    first = kernels.kernel()
    assert kernels.kernel() is first and first.usable()


def test_a_kernel_started_ahead_is_the_one_a_thread_gets(monkeypatch):
    started_in = []
    warm_kernel = kernels.WarmKernel

    def recording():
        started_in.append(threading.current_thread().name)
        return warm_kernel()

    monkeypatch.setattr(kernels, "WarmKernel", recording)
    kernels.prestart(1)
    k = kernels.kernel()
    assert k.usable()
    assert len(started_in) == 1 and started_in[0] != threading.current_thread().name


def test_kernels_started_ahead_and_not_used_are_stopped():
    kernels.prestart(2)
    kernels.shutdown()
    assert kernel_processes() == []


def test_a_kernel_that_died_is_replaced():
    first = kernels.kernel()
    first.km.shutdown_kernel(now=True)
    second = kernels.kernel()
    assert second is not first and second.usable()
    assert kernels.kernel() is second  # and then kept


def test_a_kernel_that_could_not_be_reset_is_replaced():
    first = kernels.kernel()
    with pytest.raises(kernels.KernelError):
        first.reset("/no/such/folder")
    assert not first.usable()
    assert kernels.kernel() is not first

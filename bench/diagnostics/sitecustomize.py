"""Loaded by every Python process the tests and benchmarks start (bench/server.py puts this
folder on PYTHONPATH): SIGUSR1 makes the process write every thread's stack to stderr, its log,
so that a server that stops answering can be asked where it is stuck."""

import faulthandler
import signal

faulthandler.register(signal.SIGUSR1, all_threads=True)

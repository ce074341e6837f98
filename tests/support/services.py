"""Services the machine may offer the tests, asked whether they answer."""

import socket


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether something accepts connections where Redis should be."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False

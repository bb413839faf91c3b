"""What the benchmark clients need to know about the servers they measure.

bench/run starts one ContainerSSH gateway and one OpenSSH sshd and hands each
client a --target per server. Both servers are reached with the same key type
(Ed25519), key exchange and cipher, so the comparison is between the servers
and not between negotiated algorithms.
"""

from dataclasses import dataclass

CIPHER = "aes128-gcm@openssh.com"
# OpenSSH 9.x prefers a post-quantum hybrid the gateway's libssh does not
# offer; pinning one key exchange keeps both sides doing the same work.
KEX = "curve25519-sha256"
HOST_KEY_ALGORITHM = "ssh-ed25519"


@dataclass(frozen=True)
class Target:
    name: str  # "gateway" or "sshd": the label used in the results
    host: str
    port: int
    user: str
    pid: int  # the server's main process (sshd: the listener)


def parse_target(text: str) -> Target:
    """Parses NAME:HOST:PORT:USER:PID, as bench/run writes it."""
    parts = text.split(":")
    if len(parts) != 5:
        raise ValueError(f"--target wants NAME:HOST:PORT:USER:PID, got {text!r}")
    name, host, port, user, pid = parts
    return Target(name=name, host=host, port=int(port), user=user, pid=int(pid))

#!/usr/bin/python3
"""An independent CBOR peer for unit_agent_forward_codec (Debian's python3-cbor2).

  cbor2_peer.py decode   stdin: one packet per line, hex. For each, decodes it,
                         checks that cbor2 re-encodes the same bytes (same key
                         order, shortest integers, as fxamacker writes), decodes
                         nested SETUP / NEW_CONNECTION payloads the same way and
                         prints one JSON line describing the packet.
  cbor2_peer.py encode   prints packets cbor2 wrote, one hex line each, with keys
                         in other orders, extra keys and other letter cases.
Exits 1 with the reason on stderr when a check fails.
"""
import json
import sys

import cbor2


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def decode_exact(data, what):
    item = cbor2.loads(data)
    again = cbor2.dumps(item)
    if again != data:
        fail(f"{what}: cbor2 re-encodes {again.hex()} from {data.hex()}")
    return item


def decode():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        packet = decode_exact(bytes.fromhex(line), "packet")
        if list(packet.keys()) != ["Type", "ConnectionId", "Payload"]:
            fail(f"packet keys {list(packet.keys())}")
        out = {"Type": packet["Type"], "ConnectionId": packet["ConnectionId"]}
        payload = packet["Payload"]
        if payload is None:
            out["Payload"] = None
        elif packet["Type"] in (0, 4):
            out["Payload"] = decode_exact(payload, "nested payload")
        else:
            out["Payload"] = payload.hex()
        print(json.dumps(out, sort_keys=True))


def setup_payload():
    # Keys reversed, one extra key of every kind, "bindport" in lower case.
    return cbor2.dumps({
        "AuthCookie": "c00k1e",
        "Unknown": {"nested": [1, -2, b"x", None, True]},
        "AuthProtocol": "MIT-MAGIC-COOKIE-1",
        "SingleConnection": True,
        "Screen": "0",
        "Protocol": "tcp",
        "bindport": 6010,
        "BindHost": "127.0.0.1",
        "ConnectionType": 0,
        "Extensions": ["csh.eof", "csh.listen-info"],
    })


def new_connection_payload():
    return cbor2.dumps({
        "OriginatorPort": 54321,
        "originatoraddress": "10.0.0.1",
        "ConnectedPort": 70000,
        "Extra": 1,
        "ConnectedAddress": "/run/app.sock",
        "Protocol": "unix",
    })


def encode():
    packets = [
        {"Payload": setup_payload(), "ConnectionId": 0, "Type": 0},
        {"connectionid": 2**40, "TYPE": 4, "Payload": new_connection_payload(), "Other": "x"},
        {"Payload": b"\x00\xffdata" * 10000, "Type": 3, "ConnectionId": 7},
        {"Type": 5, "Payload": None, "ConnectionId": 3},
        {"ConnectionId": 0, "Type": 6},
    ]
    for packet in packets:
        print(cbor2.dumps(packet).hex())


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("decode", "encode"):
        fail("usage: cbor2_peer.py decode|encode")
    decode() if sys.argv[1] == "decode" else encode()

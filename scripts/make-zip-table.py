#!/usr/bin/env python3
"""Builds assets/zip_codes.bin, the offline ZIP → city, state, time zone table, from the
`zipcodes` crate's data file (MIT; see assets/zip_codes.NOTICE and the README).

Usage: scripts/make-zip-table.py [path/to/zips.json.bz2] [output]
Without arguments it reads the crate from ~/.cargo/registry (`cargo fetch` a project that depends
on zipcodes = "=3.0.1", or `cargo download`, to put it there) and writes assets/zip_codes.bin.

Kept: active ZIPs of type STANDARD, PO BOX and UNIQUE (one organisation's ZIP: still a real
city and state). Dropped: inactive ZIPs (no longer delivered to) and MILITARY ones (APO/FPO/DPO
are mail designators, not cities, and have no time zone). A time zone that is not an IANA name
(the data has one such typo) is dropped, so that ZIP offers no zone.

Format (little-endian), read by src/reference/zip_codes.rs:
  b"IZIP", u8 version (1), u8 zone count, u8 state count, u8 0,
  u32 city count, u32 record count, u32 string bytes,
  the strings: zones, then states, then cities, each followed by b"\\n",
  then one 7-byte record per ZIP in ascending order:
  u24 ZIP, u16 city index, u8 state index, u8 zone index (255: none).
"""

import bz2
import glob
import json
import os
import struct
import sys
import zoneinfo

KEPT_TYPES = {"STANDARD", "PO BOX", "UNIQUE"}
NO_ZONE = 255


def default_source():
    pattern = os.path.expanduser("~/.cargo/registry/src/*/zipcodes-3.0.1/src/zips.json.bz2")
    found = sorted(glob.glob(pattern))
    if not found:
        sys.exit(f"no {pattern}; pass the path of zips.json.bz2")
    return found[-1]


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else default_source()
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "assets", "zip_codes.bin")
    with bz2.open(source) as f:
        rows = json.load(f)
    iana = zoneinfo.available_timezones()
    kept = sorted(
        (r for r in rows if r["active"] and r["zip_code_type"] in KEPT_TYPES),
        key=lambda r: int(r["zip_code"]),
    )
    bad_zones = sorted({r["timezone"] for r in kept if r["timezone"] and r["timezone"] not in iana})
    zones = sorted({r["timezone"] for r in kept if r["timezone"] in iana})
    states = sorted({r["state"] for r in kept})
    cities = sorted({r["city"] for r in kept})
    assert len(zones) < NO_ZONE and len(states) < 256 and len(cities) < 65536
    zone_index = {z: i for i, z in enumerate(zones)}
    state_index = {s: i for i, s in enumerate(states)}
    city_index = {c: i for i, c in enumerate(cities)}
    strings = "".join(s + "\n" for s in zones + states + cities).encode()
    out = bytearray(b"IZIP")
    out += struct.pack("<BBBBIII", 1, len(zones), len(states), 0, len(cities), len(kept), len(strings))
    out += strings
    previous = -1
    for r in kept:
        zip_code = int(r["zip_code"])
        assert len(r["zip_code"]) == 5 and zip_code > previous, r["zip_code"]
        previous = zip_code
        zone = zone_index.get(r["timezone"], NO_ZONE)
        out += struct.pack("<I", zip_code)[:3]
        out += struct.pack("<HBB", city_index[r["city"]], state_index[r["state"]], zone)
    with open(output, "wb") as f:
        f.write(out)
    print(
        f"{output}: {len(kept)} ZIPs of {len(rows)} ({len(cities)} cities, {len(states)} states, "
        f"{len(zones)} zones), {len(out)} bytes; dropped zones not in IANA: {bad_zones}"
    )


if __name__ == "__main__":
    main()

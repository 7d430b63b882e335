#!/usr/bin/env python3
"""Prints the xmldsig benchmark table for tools/bench/xmldsig.sh.

Usage: ``table.py CRITERION_DIR XMLSEC_JSON OPENSSL_SPEED_TXT``. Reads criterion's mean
estimates (``<group>/<id>/new/estimates.json``, nanoseconds per iteration), the libxmlsec1
figures from xmlsec_bench.py and the ``rsa 2048 bits`` line of ``openssl speed``. Exits 1 when
a target is missed, so the script can gate a CI job if wanted.
"""

import json
import re
import sys

LABELS = ("10KB", "100KB", "2MB")
VERIFY_RATIO_MIN = 2.0
SIGN_RATIO_MIN = 0.9


def criterion_ops(directory, group, name):
    with open(f"{directory}/{group}/{name}/new/estimates.json") as file:
        nanoseconds = json.load(file)["mean"]["point_estimate"]
    return 1e9 / nanoseconds


def openssl_rsa2048(path):
    with open(path) as file:
        for line in file:
            match = re.match(r"\s*rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
            if match:
                return float(match.group(1)), float(match.group(2))
    raise ValueError(f"no 'rsa 2048 bits' line in {path}")


def main():
    criterion_dir, xmlsec_path, openssl_path = sys.argv[1:4]
    with open(xmlsec_path) as file:
        xmlsec = json.load(file)
    openssl_sign, openssl_verify = openssl_rsa2048(openssl_path)
    raw_rsa = criterion_ops(criterion_dir, "raw_rsa", "rsa2048_pkcs1_sha256_sign")

    print(f"{'operation':<22}{'kuvert ops/s':>14}{'libxmlsec1 ops/s':>18}{'kuvert/xmlsec':>15}")
    for operation in ("sign", "seal", "verify"):
        for label in LABELS:
            ours = criterion_ops(criterion_dir, operation, label)
            theirs = xmlsec[operation][label]
            print(f"{operation + ' ' + label:<22}{ours:>14.1f}{theirs:>18.1f}{ours / theirs:>14.2f}x")
    print()
    print(f"raw RSA-2048 PKCS#1 SHA-256 sign, aws-lc-rs: {raw_rsa:10.1f} ops/s")
    print(f"openssl speed rsa2048:                sign {openssl_sign:10.1f} ops/s,"
          f" verify {openssl_verify:10.1f} ops/s")
    print()

    verify_ratio = min(
        criterion_ops(criterion_dir, "verify", label) / xmlsec["verify"][label] for label in LABELS
    )
    sign_ratio = criterion_ops(criterion_dir, "sign", "10KB") / raw_rsa
    missed = []
    print(f"verify, ours / libxmlsec1 (worst size): {verify_ratio:.2f}x (target >= {VERIFY_RATIO_MIN}x)")
    if verify_ratio < VERIFY_RATIO_MIN:
        missed.append("verify")
    print(f"sign 10KB, ours / raw RSA:             {sign_ratio:.2f} (target >= {SIGN_RATIO_MIN})")
    if sign_ratio < SIGN_RATIO_MIN:
        missed.append("sign")
    if missed:
        print("MISSED: " + ", ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

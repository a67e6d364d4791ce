#!/usr/bin/env python3
"""Prints bench/site-instructions.sh's table from callgrind's files: the instructions counted in
`maint now`'s engine, libcurl's handle calls among them (each with what it calls), and the
baseline's whole process, each per site.

    bench/instruction_rows.py SITES MAINT.cg MAINT_INCLUSIVE.txt BASELINE.cg

MAINT_INCLUSIVE.txt is `callgrind_annotate --inclusive=yes --threshold=100 MAINT.cg`.
"""
import re
import sys

# libcurl's calls that make, set and free a transfer's handle (curl -Z makes the same for each
# of its transfers).
HANDLES = ["curl_easy_init", "curl_easy_setopt", "curl_url", "curl_url_set", "curl_url_get", "curl_url_cleanup",
           "curl_free", "curl_slist_append", "curl_slist_free_all", "curl_easy_cleanup"]
LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+\?\?\?:(\w+)\s+\[.*libcurl")


def total(path):
    """The instructions a callgrind file counted (its `totals:` line)."""
    with open(path) as data:
        for line in data:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    raise SystemExit(f"instruction_rows: no totals in {path}")


def handles(path):
    found = 0
    with open(path) as listing:
        for line in listing:
            match = LINE.match(line)
            if match and match.group(2) in HANDLES:
                found += int(match.group(1).replace(",", ""))
    return found


def main():
    sites, maint, listing, baseline = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    engine, libcurl, curl = total(maint), handles(listing), total(baseline)
    row = lambda label, count: print(f"| {label} | {count / sites:,.0f} |")
    print("| instructions | per site |")
    print("|---|---:|")
    row("**the engine's work: each request built, each outcome recorded, the window stepped**", engine - libcurl)
    row("libcurl's handle for each transfer, made and given its URL and options, within it", libcurl)
    row("the two together", engine)
    row("curl -Z --parallel-max 256, the whole process (baseline)", curl)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Splits a profile of `maint now` over a fleet into phases: reads `perf script` output (demangled
with `swift demangle --simplified`) on stdin and prints, for each phase, its CPU time and that time
per site. A sample belongs to the first phase (in the order below) that a frame of its stack
names, so no time is counted twice. The engine's
phases leave out the samples under libcurl's handle calls, which have a row of their own.

    perf script -i maint.data | swift demangle --simplified | bench/cpu_phases.py [--runs R] SITES [BASELINE_LABEL BASELINE.txt]

With --runs R, the input holds R runs' samples (and so does BASELINE.txt): the figures are per run.

BASELINE.txt, the same kind of text for another process (curl -Z over the same fleet), adds
that process's whole CPU time as the last row.
"""
import re
import sys

# (phase, frames that mark it, frames that rule it out); "per site" phases are the work done for
# each site. libcurl's own handle for each transfer (made, given its URL and options, freed) is
# counted apart from the engine's work: curl -Z makes and frees one for each of its transfers
# too, and its cost is libcurl's, with the page faults of its memory.
HANDLES = ["curl_easy_init", "curl_easy_setopt", "curl_url", "curl_slist_", "curl_easy_cleanup", "curl_free"]
PHASES = [
    ("each site's switch request: driver, templates, body, signature", ["Engine.launchAction("], HANDLES),
    ("each site's outcome recorded (decided, committed)", ["Engine.complete("], HANDLES),
    ("the window stepped: its sites' states decided and committed", ["Engine.step("], HANDLES),
    ("libcurl's handle for each transfer: made, given its URL and options, freed", HANDLES, ["curl_multi_"]),
    ("the schedule read (JSON5, decoded, checked)", ["ScheduleLoader.load(", "JSON5Parts.parse(", "Parallel.map"], []),
    ("the transfers: libcurl and the kernel's TCP", ["curl_multi_", "libcurl.so", "__libc_connect", "__send", "__recv", "__socket", "__poll", "sock_close", "setsockopt"], []),
]
PER_SITE = 3  # the first three phases are the engine's work per site
HANDLE_PHASE = 3
HEADER = re.compile(r"^\S.*?\s(\d+)\s+[\w:-]+:\S*:?\s*$")


def samples(lines):
    """(period in ns, frames) for each sample."""
    period, frames = None, []
    for line in lines:
        if not line.strip():
            if period is not None:
                yield period, frames
            period, frames = None, []
            continue
        if line[0] in " \t":
            frames.append(line.strip())
        else:
            match = HEADER.match(line.rstrip())
            period = int(match.group(1)) if match else 0
    if period is not None:
        yield period, frames


def split(lines):
    totals = [0] * (len(PHASES) + 1)
    for period, frames in samples(lines):
        for index, (_, marks, excluded) in enumerate(PHASES):
            names = lambda wanted: any(mark in frame for frame in frames for mark in wanted)
            if names(marks) and not names(excluded):
                totals[index] += period
                break
        else:
            totals[-1] += period
    return totals


def main():
    arguments = sys.argv[1:]
    runs = 1
    if arguments[:1] == ["--runs"]:
        runs, arguments = int(arguments[1]), arguments[2:]
    sites = int(arguments[0])
    totals = split(sys.stdin)
    whole = sum(totals)
    row = lambda label, ns: print(f"| {label} | {ns / 1e6 / runs:.1f} ms | {ns / 1e3 / sites / runs:.1f} µs |")
    print("| maint now: where its CPU time went | CPU | per site |")
    print("|---|---:|---:|")
    for (label, _, _), ns in zip(PHASES, totals):
        row(label, ns)
    row("start-up, the database opened, exit, the rest", totals[-1])
    row("**the engine's work per site (the first three rows)**", sum(totals[:PER_SITE]))
    row("the engine's work and libcurl's handles (the first four rows)", sum(totals[:PER_SITE]) + totals[HANDLE_PHASE])
    row("**maint now, the whole process**", whole)
    if len(arguments) > 2:
        with open(arguments[2]) as baseline:
            row(f"{arguments[1]}, the whole process (baseline)", sum(period for period, _ in samples(baseline)))


if __name__ == "__main__":
    main()

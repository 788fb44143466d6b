#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and types a password when it prompts, as a person would.

cvat-ds reads a missing password from /dev/tty with echo off; only a real terminal exercises that path.
The password comes on this script's stdin (one line), never in an argument or the environment, so it
reaches the command only through the terminal.

Usage:
    answer_prompt.py [--prompt TEXT] [--timeout SECONDS] -- COMMAND [ARG...]  < password-line

While the command runs, its /proc/PID/cmdline is sampled (what `ps` shows). At the end one JSON object
goes to stdout:
    {"status": exit code (or -signal), "prompted": bool, "output": everything the terminal showed,
     "cmdlines": [distinct argument vectors seen]}
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import sys
import time


def read_cmdline(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    if not raw:
        return None
    return [part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompt", default="Password for ")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command given")
    password = sys.stdin.readline().rstrip("\n")

    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    output = bytearray()
    prompted = False
    cmdlines: list[list[str]] = []
    deadline = time.monotonic() + args.timeout
    status = None
    while time.monotonic() < deadline:
        line = read_cmdline(pid)
        if line is not None and line not in cmdlines:
            cmdlines.append(line)
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side of the terminal
                data = b""
            if data:
                output += data
                if not prompted and args.prompt.encode() in output:
                    prompted = True
                    os.write(master, password.encode() + b"\n")
                continue
        done, raw_status = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw_status
            break
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        output += b"\n[answer_prompt.py: timed out]\n"
    # Whatever the terminal still holds after the exit.
    while True:
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        output += data
    os.close(master)
    code = os.waitstatus_to_exitcode(status)
    json.dump({"status": code, "prompted": prompted, "output": output.decode("utf-8", "replace"),
               "cmdlines": cmdlines}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""activate.py NAME=ADDRESS:PORT... -- COMMAND [ARGS...]

Socket activation as systemd does it (sd_listen_fds(3)), for the tests:
listen on each address (TCP, in the order given), move the sockets to
fd 3, 4, ..., set LISTEN_FDS to their number, LISTEN_FDNAMES to their
names (colon-separated), LISTEN_PID to this process's pid (exec keeps
it) and exec COMMAND.  The sockets listen before COMMAND starts, so a
client may connect at once and waits for COMMAND to answer."""
import fcntl
import os
import socket
import sys

args = sys.argv[1:]
if "--" not in args or args.index("--") == 0 or args[-1] == "--":
    sys.exit(__doc__)
cut = args.index("--")
specs, command = args[:cut], args[cut + 1:]
socks, names = [], []
for spec in specs:
    name, _, addr = spec.partition("=")
    host, _, port = addr.rpartition(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(64)
    socks.append(s)
    names.append(name)
# out of the way first (fds 3.. may hold the sockets themselves), then
# onto 3, 4, ...; dup2 makes them inheritable
high = [fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 100) for s in socks]
for s in socks:
    s.close()
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i)
    os.close(fd)
os.environ["LISTEN_FDS"] = str(len(socks))
os.environ["LISTEN_FDNAMES"] = ":".join(names)
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp(command[0], command)

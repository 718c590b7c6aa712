"""Run a command on a pseudo-terminal, as a user at a terminal would, for the firstuse tests.

Usage: pty-run.py '<json>' where json is {"argv": [...], "cwd": "...", "steps": [{"expect": "text", "send": "text"}], "timeout": s}.
Each step waits until `expect` has appeared in the output (after the previous step's), then types `send`
("\\u0003" is Ctrl-C: the terminal turns it into SIGINT). Prints {"output": ..., "code": exit code} as JSON.
"""
import json, os, pty, select, signal, sys, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd", "."))
    os.execvp(spec["argv"][0], spec["argv"])

out = b""
seen = 0
deadline = time.time() + spec.get("timeout", 30)

def read_some(wait):
    global out
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True

alive = True
for step in spec.get("steps", []):
    want = step["expect"].encode()
    while alive and want not in out[seen:] and time.time() < deadline:
        alive = read_some(0.1)
    if want not in out[seen:]:
        break
    seen = out.index(want, seen) + len(want)
    time.sleep(0.1)
    os.write(fd, step["send"].encode())
while alive and time.time() < deadline:
    alive = read_some(0.2)
if time.time() >= deadline:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"output": out.decode("utf8", "replace"), "code": code}))

import subprocess, time, tempfile, socket, sys, statistics
binary = sys.argv[1]
def once(d):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--data-dir", d, "--listen", "127.0.0.1:4599"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if "listening on" in line:
            break
    t1 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", 4599))
    s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    s.recv(100)
    t2 = time.perf_counter()
    p.terminate(); p.wait()
    return (t1 - t0) * 1000, (t2 - t0) * 1000
first, again = [], []
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 8):
    with tempfile.TemporaryDirectory() as d:
        first.append(once(d + "/data")[1])
        again.append(once(d + "/data")[1])
print("first start: median %.1f ms (min %.1f, max %.1f)" % (statistics.median(first), min(first), max(first)))
print("restart:     median %.1f ms (min %.1f, max %.1f)" % (statistics.median(again), min(again), max(again)))

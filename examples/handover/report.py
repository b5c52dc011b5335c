"""Started by ../handover.ks through exec(): prints frame sizes every second."""
import sys
import time

import handover

print(f"report.py: watching {sys.argv[1]} (limit {handover.ho_limit[0]} bytes); Ctrl-C stops")
try:
    while True:
        for bucket, stats in sorted(handover.ho_sizes.items()):
            print(f"  {bucket * 256:5}-{bucket * 256 + 255:5} bytes: {stats.frames} frames, {stats.bytes} bytes")
        time.sleep(1)
except KeyboardInterrupt:
    pass

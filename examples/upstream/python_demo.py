"""Started by test_exec's exec(): reads and writes the program's maps."""
import sys
import time

import test_exec

interface = sys.argv[1] if len(sys.argv) > 1 else "?"
print(f"python: monitoring {interface}; maps: {', '.join(sorted(test_exec.maps))}")
print("python: test_map:", dict(test_exec.test_map.items()))
test_exec.test_map[2] += 1
try:
    while True:
        buckets = {k * 64: v for k, v in test_exec.packet_stats.items() if v}
        print("python: frames by size:", buckets, "bytes by ifindex:", dict(test_exec.bandwidth_usage.items()))
        time.sleep(1)
except KeyboardInterrupt:
    pass

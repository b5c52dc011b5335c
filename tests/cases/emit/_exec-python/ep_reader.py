"""Started by exec-python-exec's exec(): reads, changes and prints the maps."""
import importlib
import os
import sys

ks = importlib.import_module(os.environ["KERNELSCRIPT_PROGRAM"])

print("args:", sys.argv[1:])
print("maps:", sorted(ks.maps))
flow = ks.ep_flows[7]
print("flow 7:", flow.packets, flow.bytes, flow.label, flow.proto, list(flow.ports), ks.EpVerdict(flow.verdict).name)
print("names:", sorted(ks.ep_names.items()))
print("7 in ep_flows:", 7 in ks.ep_flows, "8 in ep_flows:", 8 in ks.ep_flows)
flow.packets += 1
ks.ep_flows[7] = flow
ks.ep_names["beta"] = 2
ks.ep_names["alpha"] += 10
print("ready", flush=True)
sys.stdin.readline()
print("after:", ks.ep_flows[7].packets, sorted(ks.ep_names.items()))
print("frames:", ks.ep_frames[0], "per-cpu:", sum(ks.ep_percpu[0]), "cpus:", len(ks.ep_percpu[0]) > 0)
del ks.ep_names["beta"]
print("deleted:", sorted(ks.ep_names.keys()))

"""A real MCP client for the k8sops server: the official Python SDK (`mcp` on PyPI).

Reads a plan (JSON, from the file named by the first argument) holding the server's command
and a list of steps, connects to the server over stdio with the SDK's own `Client`, runs the
steps in order and prints one JSON document on stdout: the negotiated protocol version, the
server's identity and instructions, and per step its result as the SDK parsed it (or the
error it raised) with the round-trip time in milliseconds. The Rust tests in tests/mcp.rs
assert on that document; scripts/bench.sh uses `repeat` to time a call.

Steps: {"op": "list_tools"} | {"op": "call", "tool": NAME, "arguments": {...}, "repeat": N}
| {"op": "list_resources"} | {"op": "read_resource", "uri": URI} | {"op": "list_prompts"}
| {"op": "get_prompt", "name": NAME, "arguments": {...}}
"""

import asyncio
import json
import sys
import time

from mcp import Client
from mcp.client.stdio import StdioServerParameters


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def step(client, s):
    op = s["op"]
    if op == "list_tools":
        return dump(await client.list_tools())
    if op == "call":
        return dump(await client.call_tool(s["tool"], s.get("arguments", {})))
    if op == "list_resources":
        return dump(await client.list_resources())
    if op == "read_resource":
        return dump(await client.read_resource(s["uri"]))
    if op == "list_prompts":
        return dump(await client.list_prompts())
    if op == "get_prompt":
        return dump(await client.get_prompt(s["name"], s.get("arguments", {})))
    raise ValueError(f"unknown op {op!r}")


async def main(plan):
    server = StdioServerParameters(
        command=plan["command"],
        args=plan.get("args", []),
        env=plan.get("env"),
        cwd=plan.get("cwd"),
    )
    out = {"steps": []}
    async with Client(server, read_timeout_seconds=120) as client:
        out["protocol_version"] = client.protocol_version
        info = client.server_info
        out["server"] = dump(info) if info is not None else None
        out["instructions"] = client.instructions
        for s in plan["steps"]:
            timings = []
            entry = {"op": s["op"]}
            for _ in range(max(1, s.get("repeat", 1))):
                started = time.perf_counter()
                try:
                    entry["result"] = await step(client, s)
                except Exception as e:  # the test asserts on what the SDK raised
                    entry["error"] = f"{type(e).__name__}: {e}"
                timings.append((time.perf_counter() - started) * 1000.0)
            entry["ms"] = timings
            out["steps"].append(entry)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        asyncio.run(main(json.load(f)))

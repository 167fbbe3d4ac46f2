"""Sums `callgrind_annotate --inclusive=no` output (standard input) by crate group and prints
the instructions per request of each group (used by scripts/profile-page).

    callgrind_annotate --inclusive=no FILE | python3 instructions_by_crate.py NAME REQUESTS
"""

import re
import sys
from collections import Counter

GROUPS = {
    "Leptos (rendering, reactive graph, router, server functions)": {
        "leptos", "leptos_axum", "leptos_router", "leptos_meta", "leptos_server", "leptos_config",
        "leptos_dom", "leptos_hot_reload", "tachys", "reactive_graph", "reactive_stores",
        "any_spawner", "server_fn", "hydration_context", "either_of", "next_tuple", "or_poisoned",
        "throw_error", "send_wrapper", "slotmap", "guardian", "oco_ref", "leptos_router_macro",
    },
    "mublog (app, domain, shared, server)": {"app", "domain", "shared", "mublog", "frontend"},
    "sqlx and SQLite": {"sqlx", "sqlx_core", "sqlx_sqlite", "libsqlite3_sys", "flume"},
    "allocators (mimalloc, libc malloc)": {"mimalloc", "libmimalloc_sys"},
    "JSON and other serialisation": {
        "serde", "serde_json", "serde_urlencoded", "itoa", "ryu", "base64", "form_urlencoded",
        "percent_encoding", "serde_qs", "urlencoding",
    },
    "HTTP and async runtime (tokio, hyper, axum, tower)": {
        "tokio", "hyper", "hyper_util", "axum", "axum_core", "tower", "tower_http", "tower_layer",
        "tower_service", "http", "http_body", "http_body_util", "httparse", "bytes", "futures",
        "futures_util", "futures_core", "futures_channel", "futures_executor", "mio", "tower_cookies",
        "cookie", "pin_project_lite", "async_compression", "matchit", "mime", "headers",
    },
    "logging and metrics": {"tracing", "tracing_core", "tracing_subscriber", "metrics", "metrics_util",
                            "metrics_exporter_prometheus", "quanta", "sharded_slab"},
    "crypto (JWT, hashes)": {"jsonwebtoken", "ring", "sha2", "hmac", "digest", "subtle", "aws_lc_rs",
                             "aws_lc_sys", "blake2", "argon2", "sha1", "crypto_common", "block_buffer"},
    "Rust std, core, alloc": {"std", "core", "alloc", "hashbrown", "indexmap"},
}
CRATE_GROUP = {crate: group for group, crates in GROUPS.items() for crate in crates}
LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?)(?:\s+\[(.*)\])?\s*$")


def crate_of(function: str) -> str:
    """The crate a demangled Rust symbol belongs to: drop glue and trait impls count for the
    type they are for."""
    name = function
    while True:
        name = name.lstrip("&*").removeprefix("mut ").removeprefix("dyn ").removeprefix("const ")
        for prefix in ("core::ptr::drop_in_place<", "<", "("):
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        else:
            break
    head = re.match(r"[A-Za-z_][A-Za-z0-9_]*", name)
    return head.group(0) if head and "::" in name else ""


def group_of(function: str, binary: str) -> str:
    if function.startswith(("mi_", "_mi_")) or function in {"malloc", "free", "realloc", "calloc",
                                                              "cfree", "_int_malloc", "_int_free"}:
        return "allocators (mimalloc, libc malloc)"
    if function.startswith("sqlite3"):
        return "sqlx and SQLite"
    if "libc.so" in binary or "ld-linux" in binary:
        return "libc (memcpy, syscalls' wrappers, …)"
    return CRATE_GROUP.get(crate_of(function), "other")


def main() -> None:
    name, requests = sys.argv[1], int(sys.argv[2])
    by_group: Counter = Counter()
    total = 0
    for line in sys.stdin:
        if "PROGRAM TOTALS" in line:
            match = LINE.match(line.replace("PROGRAM TOTALS", "x:PROGRAM TOTALS"))
            total = int(match.group(1).replace(",", "")) if match else 0
            continue
        match = LINE.match(line)
        if not match or ":" not in match.group(2):
            continue
        count = int(match.group(1).replace(",", ""))
        # A dump taken while threads run (callgrind_control) charges the frames that were on
        # every thread's stack (thread start, the tokio worker loop) with all their callees'
        # cost: no function costs half of everything by itself, so those are left out.
        if count >= total / 2:
            continue
        function = match.group(2).split(":", 1)[1]
        by_group[group_of(function, match.group(3) or "")] += count
    listed = sum(by_group.values())
    if listed < total:
        by_group["below callgrind_annotate's threshold"] += total - listed
    print(f"\n{name}: {total / requests:,.0f} instructions per request ({requests} requests);"
          f" the groups add up to {listed / total:.0%} of it (over 100 %: frames counted twice)")
    for group, count in by_group.most_common():
        print(f"  {count / total:6.1%}  {count / requests:>12,.0f}  {group}")


if __name__ == "__main__":
    main()

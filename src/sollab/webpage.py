"""The dApp page of an export: static HTML and JS, ethers.js copied from the lab's npm packages
(no CDN), the contract's ABI and deployments inlined so the page also works from ``file://``.

It connects to an injected wallet (``window.ethereum``) or an RPC URL (``?rpc=URL`` in the
address fills it in and connects), shows the views without arguments as the contract's state,
its recent events, and a form for every function (generated from the ABI in the browser).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from .errors import LabError
from .paths import lab_root

ETHERS_BUNDLE = Path("node_modules") / "ethers" / "dist" / "ethers.umd.min.js"
APP = Path(__file__).resolve().parent / "js" / "dapp.js"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
         padding: 0 1rem; }}
  fieldset {{ margin-bottom: 1rem; }}
  label {{ display: block; margin: .3rem 0; }}
  input {{ font-family: monospace; min-width: 22rem; }}
  form.function {{ border: 1px solid #ccc; border-radius: 6px; padding: .5rem 1rem;
                   margin: .7rem 0; }}
  form.function h3 {{ font-family: monospace; font-size: 1rem; }}
  output {{ display: block; font-family: monospace; margin-top: .4rem; white-space: pre-wrap; }}
  dt {{ font-weight: bold; }} dd {{ font-family: monospace; margin: 0 0 .4rem 1rem; }}
  .error {{ color: #b00020; }}
</style>
</head>
<body>
<h1 id="name">{title}</h1>
<p>{about}</p>
<fieldset>
  <legend>Connect</legend>
  <button id="connect-wallet" type="button">Connect wallet</button>
  <label>or an RPC URL <input id="rpc" placeholder="http://127.0.0.1:8545"></label>
  <button id="connect-rpc" type="button">Connect to RPC</button>
  <label>Contract address <input id="address" placeholder="{placeholder}"></label>
  <p>Chain <span id="chain">-</span>, account <span id="account">-</span>, block
     <span id="block">-</span></p>
  <p id="status" role="status">Not connected.</p>
</fieldset>
<h2>State <button id="refresh" type="button">Refresh</button></h2>
<dl id="state"></dl>
<h2>Functions</h2>
<div id="functions"></div>
<h2>Recent events</h2>
<ul id="events"></ul>
<script src="ethers.umd.min.js"></script>
<script src="contract.js"></script>
<script src="app.js"></script>
</body>
</html>
"""


def ethers_bundle() -> Path:
    path = lab_root() / ETHERS_BUNDLE
    if not path.is_file():
        raise LabError(f"{ETHERS_BUNDLE} is missing: run `make setup` (npm ci) to install ethers")
    return path


def write_page(artifact: Any, deployments: list[dict[str, Any]]) -> dict[str, str | Path]:
    """The files of ``web/``: name -> text, or the Path of a file to copy."""
    spec = {
        "name": artifact.name,
        "abi": artifact.abi,
        "deployments": [
            {k: r[k] for k in ("network", "chainId", "address", "blockNumber")} for r in deployments
        ],
    }
    about = artifact.userdoc.get("notice") or f"The {artifact.name} contract."
    placeholder = deployments[-1]["address"] if deployments else "0x…"
    # JSON inside a <script>: "</" must not close the tag early.
    payload = json.dumps(spec, indent=1).replace("</", "<\\/")
    return {
        "index.html": PAGE.format(
            title=html.escape(artifact.name), about=html.escape(about), placeholder=placeholder
        ),
        "contract.js": f"window.SOLLAB_CONTRACT = {payload};\n",
        "app.js": APP,
        "ethers.umd.min.js": ethers_bundle(),
    }

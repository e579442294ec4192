// The dApp page of a contract exported by `sollab export`: connects to an injected wallet
// (window.ethereum) or to an RPC URL, shows the contract's state (its views without arguments)
// and has a form for every function, generated from the ABI. Needs ethers.umd.min.js (bundled
// beside it) and contract.js (window.SOLLAB_CONTRACT = {name, abi, deployments}).
/* global ethers */
(function () {
  "use strict";
  const spec = window.SOLLAB_CONTRACT;
  const $ = (id) => document.getElementById(id);
  const iface = new ethers.Interface(spec.abi);
  const functions = spec.abi.filter((item) => item.type === "function");
  const views = functions.filter((f) => ["view", "pure"].includes(f.stateMutability));
  const stateViews = views.filter((f) => f.inputs.length === 0);
  let provider = null;
  let signer = null;
  let contract = null;

  function say(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function signatureOf(item) {
    return iface.getFunction(item.name, item.inputs.map((i) => i.type)).format("sighash");
  }

  function idOf(item) {
    return signatureOf(item).replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "");
  }

  function show(value) {
    if (typeof value === "bigint") return value.toString();
    if (Array.isArray(value)) return "[" + Array.from(value, show).join(", ") + "]";
    return String(value);
  }

  function parseArgument(param, text) {
    const type = param.type;
    if (type.endsWith("]") || type.startsWith("tuple")) return JSON.parse(text);
    if (type === "bool") {
      if (!["true", "false"].includes(text.trim().toLowerCase())) {
        throw new Error(`${param.name || type} must be true or false`);
      }
      return text.trim().toLowerCase() === "true";
    }
    if (type.startsWith("uint") || type.startsWith("int")) {
      if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(text.trim())) {
        throw new Error(`${param.name || type} must be a whole number, got "${text}"`);
      }
      return BigInt(text.trim());
    }
    return text;
  }

  function reason(error) {
    return error.reason || error.shortMessage || error.message || String(error);
  }

  function buildForms() {
    const forms = $("functions");
    for (const item of functions) {
      const id = idOf(item);
      const form = document.createElement("form");
      form.id = "form-" + id;
      form.className = "function";
      const isView = views.includes(item);
      const title = document.createElement("h3");
      title.textContent = signatureOf(item) + (isView ? " (view)" : "");
      form.appendChild(title);
      item.inputs.forEach((param, index) => {
        const label = document.createElement("label");
        label.textContent = `${param.name || "arg" + index} (${param.type}) `;
        const input = document.createElement("input");
        input.name = param.name || "arg" + index;
        input.id = `input-${id}-${index}`;
        input.required = true;
        label.appendChild(input);
        form.appendChild(label);
      });
      if (item.stateMutability === "payable") {
        const label = document.createElement("label");
        label.textContent = "value (wei) ";
        const input = document.createElement("input");
        input.name = "__value";
        input.id = `input-${id}-value`;
        input.value = "0";
        label.appendChild(input);
        form.appendChild(label);
      }
      const button = document.createElement("button");
      button.type = "submit";
      button.textContent = isView ? "Call" : "Send transaction";
      form.appendChild(button);
      const output = document.createElement("output");
      output.id = "result-" + id;
      form.appendChild(output);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        run(item, form, output);
      });
      forms.appendChild(form);
    }
  }

  async function run(item, form, output) {
    if (!contract) {
      say("Connect first.", true);
      return;
    }
    output.textContent = "…";
    output.className = "";
    try {
      const args = item.inputs.map((param, index) =>
        parseArgument(param, form.querySelector(`#input-${idOf(item)}-${index}`).value),
      );
      const fn = contract.getFunction(signatureOf(item));
      if (views.includes(item)) {
        output.textContent = show(await fn.staticCall(...args));
        return;
      }
      if (!signer) throw new Error("no account can sign here: connect a wallet");
      const overrides = {};
      const value = form.querySelector(`#input-${idOf(item)}-value`);
      if (value) overrides.value = BigInt(value.value || "0");
      const tx = await fn.send(...args, overrides);
      output.textContent = `sent ${tx.hash} …`;
      const receipt = await tx.wait();
      output.textContent = `mined in block ${receipt.blockNumber}, status ${receipt.status}, gas ${receipt.gasUsed}`;
      output.dataset.status = String(receipt.status);
      await refresh();
    } catch (error) {
      output.textContent = "failed: " + reason(error);
      output.className = "error";
    }
  }

  function buildState() {
    const list = $("state");
    for (const item of stateViews) {
      const term = document.createElement("dt");
      term.textContent = item.name;
      const value = document.createElement("dd");
      value.id = "state-" + item.name;
      value.textContent = "–";
      list.appendChild(term);
      list.appendChild(value);
    }
  }

  async function refresh() {
    for (const item of stateViews) {
      const cell = $("state-" + item.name);
      try {
        cell.textContent = show(await contract.getFunction(signatureOf(item)).staticCall());
      } catch (error) {
        cell.textContent = "error: " + reason(error);
      }
    }
    const events = $("events");
    events.textContent = "";
    const deployment = spec.deployments.find((d) => d.address === contract.target);
    const latest = await provider.getBlockNumber();
    const from = deployment ? deployment.blockNumber : Math.max(0, latest - 1000);
    const logs = await provider.getLogs({ address: contract.target, fromBlock: from, toBlock: latest });
    for (const log of logs.slice(-20)) {
      const parsed = iface.parseLog(log);
      const item = document.createElement("li");
      item.textContent = parsed
        ? `${parsed.name}(${parsed.args.map(show).join(", ")}) in block ${log.blockNumber}`
        : `log in block ${log.blockNumber}`;
      events.appendChild(item);
    }
    $("block").textContent = String(latest);
  }

  async function connect(kind) {
    try {
      if (kind === "wallet") {
        if (!window.ethereum) throw new Error("no wallet found in this browser (window.ethereum)");
        provider = new ethers.BrowserProvider(window.ethereum);
        await provider.send("eth_requestAccounts", []);
        signer = await provider.getSigner();
      } else {
        const url = $("rpc").value.trim();
        if (!url) throw new Error("give an RPC URL, such as http://127.0.0.1:8545");
        provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: null, pollingInterval: 250 });
        const accounts = await provider.send("eth_accounts", []);
        signer = accounts.length ? await provider.getSigner(accounts[0]) : null;
      }
      const network = await provider.getNetwork();
      const chainId = Number(network.chainId);
      const known = spec.deployments.find((d) => d.chainId === chainId);
      const address = $("address").value.trim() || (known ? known.address : "");
      if (!ethers.isAddress(address)) {
        throw new Error(`not deployed on chain ${chainId}: give the contract's address`);
      }
      $("address").value = address;
      if ((await provider.getCode(address)) === "0x") {
        throw new Error(`no contract at ${address} on chain ${chainId}`);
      }
      contract = new ethers.Contract(address, spec.abi, signer || provider);
      $("chain").textContent = String(chainId) + (known ? ` (${known.network})` : "");
      $("account").textContent = signer ? await signer.getAddress() : "none (read only)";
      await refresh();
      say(`Connected to ${spec.name} at ${address}.`);
      document.body.dataset.connected = "true";
    } catch (error) {
      say("Could not connect: " + reason(error), true);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.title = spec.name;
    $("name").textContent = spec.name;
    const params = new URLSearchParams(window.location.search);
    if (params.get("rpc")) $("rpc").value = params.get("rpc");
    if (params.get("address")) $("address").value = params.get("address");
    if (!window.ethereum) $("connect-wallet").disabled = true;
    buildState();
    buildForms();
    $("connect-wallet").addEventListener("click", () => connect("wallet"));
    $("connect-rpc").addEventListener("click", () => connect("rpc"));
    $("refresh").addEventListener("click", () => contract && refresh());
    if (params.get("rpc") && params.get("connect") !== "no") connect("rpc");
  });
})();

// Drives a running `sollab node` with ethers.js and viem, unchanged, and prints what they saw
// as one JSON document. Usage: node clients.mjs URL CONTRACT.json
// CONTRACT.json: {abi, bytecode} of a contract with `set(uint256)` (reverts "too big" for
// v >= 10), `x()` and `event Set(uint256 indexed v)`.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

const [url, contractFile] = process.argv.slice(2);
const { abi, bytecode } = JSON.parse(readFileSync(contractFile, "utf8"));
const out = {};

async function withEthers() {
  const provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50 });
  const network = await provider.getNetwork();
  const signer = await provider.getSigner(0);
  const to = (await provider.listAccounts())[1].address;
  const before = await provider.getBalance(to);
  const sent = await signer.sendTransaction({ to, value: ethers.parseEther("1.5") });
  const sentReceipt = await sent.wait();
  const after = await provider.getBalance(to);
  const factory = new ethers.ContractFactory(abi, bytecode, signer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  const setReceipt = await (await contract.set(7)).wait();
  const x = await contract.x();
  const events = await contract.queryFilter(contract.filters.Set(7));
  const none = await contract.queryFilter(contract.filters.Set(8));
  let revert = null;
  try {
    await contract.set(50);
  } catch (error) {
    revert = { code: error.code, reason: error.reason ?? null };
  }
  return {
    chainId: network.chainId.toString(),
    received: (after - before).toString(),
    transferStatus: sentReceipt.status,
    contract: await contract.getAddress(),
    setStatus: setReceipt.status,
    x: x.toString(),
    events: events.map((e) => ({ name: e.eventName, v: e.args[0].toString(), block: e.blockNumber })),
    otherTopic: none.length,
    revert,
  };
}

async function withViem() {
  const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50 });
  const chainId = await publicClient.getChainId();
  const chain = defineChain({
    id: chainId,
    name: "sollab",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const client = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
  // A local account: viem signs, the node gets eth_sendRawTransaction.
  const local = privateKeyToAccount(
    "0x0000000000000000000000000000000000000000000000000000000000000003",
  );
  const wallet = createWalletClient({ chain, account: local, transport: http(url) });
  const stranger = "0x000000000000000000000000000000000000bEEF";
  const hash = await wallet.sendTransaction({ to: stranger, value: parseEther("0.25") });
  const transfer = await client.waitForTransactionReceipt({ hash });
  const deployHash = await wallet.deployContract({ abi, bytecode });
  const deployed = await client.waitForTransactionReceipt({ hash: deployHash });
  const address = deployed.contractAddress;
  const setHash = await wallet.writeContract({ address, abi, functionName: "set", args: [3n] });
  const setReceipt = await client.waitForTransactionReceipt({ hash: setHash });
  const x = await client.readContract({ address, abi, functionName: "x" });
  const logs = await client.getContractEvents({
    address,
    abi,
    eventName: "Set",
    args: { v: 3n },
    fromBlock: 0n,
  });
  // An unlocked node account (a JSON-RPC account: the node signs, eth_sendTransaction).
  const [nodeAccount] = await client.request({ method: "eth_accounts" });
  const unlocked = createWalletClient({ chain, account: nodeAccount, transport: http(url) });
  const unlockedHash = await unlocked.writeContract({
    address,
    abi,
    functionName: "set",
    args: [4n],
  });
  const unlockedReceipt = await client.waitForTransactionReceipt({ hash: unlockedHash });
  let revert = null;
  try {
    await client.simulateContract({ address, abi, functionName: "set", args: [99n], account: local });
  } catch (error) {
    const cause = error.walk ? error.walk((e) => e.reason !== undefined) : null;
    revert = { name: error.name, reason: cause ? cause.reason : null };
  }
  return {
    chainId: String(chainId),
    sender: local.address,
    strangerBalance: (await client.getBalance({ address: stranger })).toString(),
    transferStatus: transfer.status,
    contract: address,
    setStatus: setReceipt.status,
    x: x.toString(),
    events: logs.map((l) => ({ name: l.eventName, v: l.args.v.toString() })),
    unlockedStatus: unlockedReceipt.status,
    xAfterUnlocked: (await client.readContract({ address, abi, functionName: "x" })).toString(),
    block: (await client.getBlock()).number.toString(),
    fees: await client.estimateFeesPerGas().then((f) => ({
      maxFeePerGas: f.maxFeePerGas.toString(),
      maxPriorityFeePerGas: f.maxPriorityFeePerGas.toString(),
    })),
    revert,
  };
}

try {
  out.ethers = await withEthers();
  out.viem = await withViem();
  console.log(JSON.stringify(out));
} catch (error) {
  console.log(JSON.stringify({ ...out, error: String(error && error.stack ? error.stack : error) }));
  process.exit(1);
}

// Drives a contract deployed by `sollab deploy` on a running `sollab node` with ethers.js and
// prints what it saw as one JSON document. Usage: node deployed.mjs URL ADDRESS ABI.json DEPLOYER
// The contract is a Box: `value()`, `store(uint256)` (reverts "too big" for v >= 100) and
// `event Stored(address indexed by, uint256 indexed value)`.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";

const [url, address, abiFile, deployer] = process.argv.slice(2);
const abi = JSON.parse(readFileSync(abiFile, "utf8"));

try {
  const provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50 });
  const signer = await provider.getSigner(1); // an unlocked dev account, not the deployer
  const box = new ethers.Contract(address, abi, signer);
  const deployerBalance = await provider.getBalance(deployer);
  const signerBefore = await provider.getBalance(signer.address);
  const before = await box.value();
  const receipt = await (await box.store(42)).wait();
  const after = await box.value();
  const signerAfter = await provider.getBalance(signer.address);
  const stored = await box.queryFilter(box.filters.Stored(signer.address), 0);
  const byDeployer = await box.queryFilter(box.filters.Stored(deployer), 0);
  console.log(
    JSON.stringify({
      chainId: (await provider.getNetwork()).chainId.toString(),
      code: (await provider.getCode(address)).length > 2,
      deployerBalance: deployerBalance.toString(),
      before: before.toString(),
      after: after.toString(),
      status: receipt.status,
      paid: (signerBefore - signerAfter).toString(),
      fee: (receipt.gasUsed * receipt.gasPrice).toString(),
      events: stored.map((e) => ({
        name: e.eventName,
        by: e.args.by,
        value: e.args.value.toString(),
        block: e.blockNumber,
      })),
      byDeployer: byDeployer.length,
    }),
  );
} catch (error) {
  console.log(JSON.stringify({ error: String(error && error.stack ? error.stack : error) }));
  process.exit(1);
}

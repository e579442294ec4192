// Opens an exported web/ page in headless Debian Chromium (playwright-core, no browser
// download), connects it to a node by ?rpc=URL, stores a number through the generated form
// and prints what the page showed as one JSON document.
// Usage: node dapp.mjs PAGE_URL PROFILE_DIR SCREENSHOT.png
import { chromium } from "playwright-core";

const [pageUrl, profile, screenshot] = process.argv.slice(2);
const out = { requests: [], console: [] };
let context = null;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  const page = await context.newPage();
  page.on("request", (request) => out.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") out.console.push(message.text());
  });
  page.on("pageerror", (error) => out.console.push(String(error)));
  await page.goto(pageUrl);
  await page.waitForFunction(
    () => document.body.dataset.connected === "true" || document.querySelector("#status.error"),
    null,
    { timeout: 30000 },
  );
  out.status = await page.textContent("#status");
  out.title = await page.title();
  out.chain = await page.textContent("#chain");
  out.account = await page.textContent("#account");
  out.before = await page.textContent("#state-value");
  out.forms = await page.$$eval("form.function h3", (heads) => heads.map((h) => h.textContent));

  await page.fill("#input-store-uint256-0", "42");
  await page.click("#form-store-uint256 button[type=submit]");
  await page.waitForSelector("#result-store-uint256[data-status='1']", { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector("#state-value").textContent === "42");
  await page.waitForSelector("#events li", { timeout: 30000 }); // refreshed after the state
  out.result = await page.textContent("#result-store-uint256");
  out.after = await page.textContent("#state-value");
  out.events = await page.$$eval("#events li", (items) => items.map((i) => i.textContent));

  await page.fill("#input-store-uint256-0", "500");
  await page.click("#form-store-uint256 button[type=submit]");
  await page.waitForSelector("#result-store-uint256.error", { timeout: 30000 });
  out.revert = await page.textContent("#result-store-uint256");
  out.afterRevert = await page.textContent("#state-value");

  await page.click("#form-value button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#result-value").textContent === "42");
  out.viewCall = await page.textContent("#result-value");
  await page.screenshot({ path: screenshot, fullPage: true });

  // A wallet: an injected EIP-1193 provider (as MetaMask injects) that forwards to the node,
  // with the node's second account as the one the user "approved".
  const rpcUrl = new URL(pageUrl).searchParams.get("rpc");
  const walletPage = await context.newPage();
  walletPage.on("pageerror", (error) => out.console.push(String(error)));
  await walletPage.addInitScript((url) => {
    let id = 0;
    const call = async (method, params) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }),
      });
      const answer = await response.json();
      if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
      return answer.result;
    };
    window.walletRequests = [];
    window.ethereum = {
      isMetaMask: false,
      on() {},
      removeListener() {},
      async request({ method, params }) {
        window.walletRequests.push(method);
        if (method === "eth_requestAccounts" || method === "eth_accounts") {
          return [(await call("eth_accounts"))[1]];
        }
        return call(method, params);
      },
    };
  }, rpcUrl);
  const plainUrl = new URL(pageUrl);
  plainUrl.search = "";
  await walletPage.goto(plainUrl.toString());
  await walletPage.click("#connect-wallet");
  await walletPage.waitForFunction(
    () => document.body.dataset.connected === "true" || document.querySelector("#status.error"),
    null,
    { timeout: 30000 },
  );
  out.wallet = { status: await walletPage.textContent("#status") };
  out.wallet.account = await walletPage.textContent("#account");
  out.wallet.before = await walletPage.textContent("#state-value");
  await walletPage.fill("#input-store-uint256-0", "43");
  await walletPage.click("#form-store-uint256 button[type=submit]");
  await walletPage.waitForSelector("#result-store-uint256[data-status='1']", { timeout: 30000 });
  await walletPage.waitForFunction(() => document.querySelector("#state-value").textContent === "43");
  out.wallet.after = await walletPage.textContent("#state-value");
  out.wallet.requests = await walletPage.evaluate(() => window.walletRequests);
  console.log(JSON.stringify(out));
} catch (error) {
  console.log(JSON.stringify({ ...out, error: String(error && error.stack ? error.stack : error) }));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
}

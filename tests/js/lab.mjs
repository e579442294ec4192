// Drives a running JupyterLab (started by `make lab`) in headless Debian Chromium (playwright-core,
// no browser download) as a learner does: opens a lesson, runs every cell from the Run menu
// (where Run All stops at an unfinished exercise, carries on from the next cell), steps the trace
// widget, then opens nbgrader's Assignment List and Formgrader from the Nbgrader menu.
// Prints what the page showed as one JSON document; screenshots go to SHOTS_DIR.
// Usage: node lab.mjs LAB_URL TOKEN NOTEBOOK_PATH PROFILE_DIR SHOTS_DIR COMPILED BROKEN TRACE
// (the last three: indices of the cells to photograph and look into).
import { chromium } from "playwright-core";

const [labUrl, token, notebook, profile, shots, ...cellArgs] = process.argv.slice(2);
const [compiledAt, brokenAt, traceAt] = cellArgs.map(Number);
const out = { console: [], stops: [], offsite: [] };
const MINUTE = 60000;
let context = null;
let page = null;

/** Click a top menu, then an item of it, by their visible labels. */
async function menu(page, top, item) {
  await page.click(`.lm-MenuBar-itemLabel:text-is("${top}")`);
  await page.click(`.lm-Menu-itemLabel:text-is("${item}")`);
}

/** Wait until the kernel is idle and no cell is queued or running ("[*]"). */
async function settled(page, timeout) {
  await page.waitForFunction(
    () => {
      const indicator = document.querySelector(".jp-Notebook-ExecutionIndicator");
      const prompts = [...document.querySelectorAll(".jp-Notebook .jp-InputPrompt")];
      return (
        indicator?.dataset.status === "idle" && !prompts.some((p) => p.textContent.includes("*"))
      );
    },
    null,
    { timeout, polling: 250 },
  );
}

/** Every cell of the open notebook: its kind, prompt and what its outputs show (textContent:
 * JupyterLab does not lay out cells scrolled out of view, so their innerText is empty). */
function readCells(page) {
  return page.$$eval(".jp-Notebook .jp-Cell", (cells) =>
    cells.map((cell) => ({
      kind: cell.classList.contains("jp-CodeCell") ? "code" : "other",
      prompt: cell.querySelector(".jp-InputPrompt")?.textContent.trim() ?? "",
      panel: !!cell.querySelector(".jp-OutputArea .sollab"),
      ok: [...cell.querySelectorAll(".jp-OutputArea .sollab .ok")].map((e) => e.textContent),
      errors: [...cell.querySelectorAll(".jp-OutputArea .sollab .err")].map((e) => e.textContent),
      pre: [...cell.querySelectorAll(".jp-OutputArea .sollab pre")].map((e) => e.textContent),
      stderr: cell.querySelector(".jp-OutputArea-output[data-mime-type$='stderr']")?.textContent ?? "",
      text: (cell.querySelector(".jp-OutputArea")?.textContent ?? "").slice(0, 3000),
      widget: !!cell.querySelector(".jp-OutputArea .widget-vbox"),
    })),
  );
}

async function shoot(locator, name) {
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: `${shots}/${name}.png` });
}

try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 1000 },
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
  page = await context.newPage();
  const origin = new URL(labUrl).origin;
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      out.offsite.push(url);
    }
  });
  page.on("pageerror", (error) => out.console.push(String(error)));

  // 1. The lesson, as `make lab` serves it.
  const started = Date.now();
  await page.goto(`${labUrl}/lab/tree/${notebook}?token=${token}`);
  await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: MINUTE });
  // On a fresh profile JupyterLab starts a second kernel for the notebook and shuts the first
  // down a moment later; cells run before that are lost. Wait for one kernel, steadily.
  let steady = 0;
  for (let i = 0; i < 240 && steady < 6; i++) {
    const kernels = await page.evaluate(async () => (await (await fetch("/api/kernels")).json()));
    steady = kernels.length === 1 && kernels[0].execution_state === "idle" ? steady + 1 : 0;
    await page.waitForTimeout(250);
  }
  if (steady < 6) throw new Error("the notebook's kernel did not settle (one kernel, idle)");
  await settled(page, MINUTE);
  out.seconds = { kernel: (Date.now() - started) / 1000 };
  out.kernel = await page.textContent(".jp-Toolbar-kernelName");
  out.toasts = await page.$$eval(".Toastify__toast", (ts) => ts.map((t) => t.innerText));

  // 2. Run > Run All Cells; where it stops short of the end, go on from the next cell.
  await page.evaluate(() => {
    window.lastCount = () =>
      Math.max(0, ...[...document.querySelectorAll(".jp-Notebook .jp-InputPrompt")].map((p) =>
        Number((p.textContent.match(/\[(\d+)\]/) || [0, 0])[1]),
      ));
  });
  let before = await page.evaluate(() => lastCount());
  await menu(page, "Run", "Run All Cells");
  for (let round = 0; round < 20; round++) {
    // A cell of the ones just queued has run: the highest execution count went up.
    await page.waitForFunction((was) => lastCount() > was, before, { timeout: MINUTE, polling: 100 });
    await settled(page, 2 * MINUTE);
    const cells = await readCells(page);
    const ran = cells.map((c, i) => (/\[\d+\]/.test(c.prompt) ? i : -1)).filter((i) => i >= 0);
    const last = ran.at(-1);
    const lastCode = cells.map((c) => c.kind).lastIndexOf("code");
    if (last === undefined || last >= lastCode) break;
    if (!cells[last].stderr) throw new Error(`Run stopped after cell ${last}, which did not fail`);
    out.stops.push({ cell: last, stderr: cells[last].stderr, text: cells[last].text });
    await page.locator(".jp-Notebook .jp-Cell").nth(last + 1).locator(".jp-InputPrompt").click();
    before = await page.evaluate(() => lastCount());
    await menu(page, "Run", "Run Selected Cell and All Below");
  }
  out.seconds = { ...out.seconds, run: (Date.now() - started) / 1000 };
  out.cells = await readCells(page);
  const cell = (i) => page.locator(".jp-Notebook .jp-Cell").nth(i);
  await shoot(cell(compiledAt), "compiled-contract");
  await shoot(cell(brokenAt), "compile-error");

  // 3. The trace widget: the step ▶ button moves the slider and the step pane.
  const widget = cell(traceAt).locator(".jp-OutputArea .widget-vbox").first();
  await widget.waitFor({ timeout: MINUTE });
  const readout = widget.locator(".widget-readout");
  const head = widget.locator(".widget-html-content").nth(1).locator("div").first();
  out.trace = { before: await readout.textContent(), headBefore: await head.textContent() };
  await shoot(widget, "trace-before");
  await widget.locator("button", { hasText: "step ▶" }).click();
  await page.waitForFunction(
    ({ i, was }) =>
      document.querySelectorAll(".jp-Notebook .jp-Cell")[i].querySelector(".widget-readout")
        .textContent !== was,
    { i: traceAt, was: out.trace.before },
    { timeout: 30000 },
  );
  await page.waitForFunction(
    ({ i, was }) =>
      document
        .querySelectorAll(".jp-Notebook .jp-Cell")
        [i].querySelectorAll(".widget-html-content")[1]
        .querySelector("div").textContent !== was,
    { i: traceAt, was: out.trace.headBefore },
    { timeout: 30000 },
  );
  out.trace.after = await readout.textContent();
  out.trace.headAfter = await head.textContent();
  out.trace.buttons = await widget.locator("button").allTextContents();
  await shoot(widget, "trace-after");
  await page.screenshot({ path: `${shots}/lesson.png` });

  out.seconds.trace = (Date.now() - started) / 1000;

  // 4. nbgrader: the learner's Assignment List, the instructor's Formgrader.
  await menu(page, "Nbgrader", "Assignment List");
  await page.waitForFunction(
    () => {
      const root = document.querySelector("#released_assignments_list")?.closest(".lm-Widget");
      return root && !root.innerText.includes("Loading");
    },
    null,
    { timeout: MINUTE },
  );
  await page.waitForTimeout(1000); // all three lists are filled by separate requests
  out.assignmentList = await page.evaluate(
    () => document.querySelector("#released_assignments_list").closest(".lm-Widget").innerText,
  );
  await page.screenshot({ path: `${shots}/assignment-list.png` });
  out.seconds.assignmentList = (Date.now() - started) / 1000;

  await menu(page, "Nbgrader", "Formgrader");
  const frame = page.frameLocator("iframe[src*='formgrader']");
  const rows = frame.locator("#main-table tr");
  await rows.first().waitFor({ timeout: MINUTE });
  await frame
    .locator("#main-table")
    .filter({ hasNotText: "Loading, please wait" })
    .waitFor({ timeout: MINUTE });
  out.formgrader = {
    headings: await frame.locator("h1").allTextContents(),
    rows: await rows.allInnerTexts(),
    warnings: await frame.locator(".alert-warning:visible").allInnerTexts(),
  };
  await page.screenshot({ path: `${shots}/formgrader.png` });
  console.log(JSON.stringify(out));
} catch (error) {
  if (page) await page.screenshot({ path: `${shots}/failure.png` }).catch(() => {});
  out.cells = page ? await readCells(page).catch(() => null) : null;
  console.log(JSON.stringify({ ...out, error: String(error && error.stack ? error.stack : error) }));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
}

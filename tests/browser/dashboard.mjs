// The dashboard in a real browser: Debian's chromium, driven headless by playwright-core.
// Runs the W3 workload under `arr --dashboard --dashboard-wait`, loads the page while it
// computes, and checks that progress reaches 100 %, that the task stream holds one bar per
// task, and that the memory line stays under the budget; then opens the plan SVG that
// `arr explain --svg` drew. Screenshots go to OUT_DIR. Called by
// tests/integration/dashboard.rs:  node dashboard.mjs ARR_BINARY W3_FILE OUT_DIR
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [arr, program, outDir] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
// A full-page screenshot hangs in this headless chromium: size the viewport to the page.
async function shoot(page, file) {
  const h = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1200, height: Math.min(Math.max(h, 400), 4000) });
  await page.screenshot({ path: file });
}
const fail = (msg) => { console.error(`browser test: FAILED: ${msg}`); process.exit(1); };

// The plan picture first (nothing is computed).
const svgPath = path.resolve(outDir, "w3-plan.svg");
execFileSync(arr, ["explain", "--svg", svgPath, program], { stdio: ["ignore", "ignore", "inherit"] });

const child = spawn(arr, ["--dashboard", "127.0.0.1:0", "--dashboard-wait", "--threads", "2",
                          "--memory-limit", "1GiB", program], { stdio: ["ignore", "pipe", "pipe"] });
let stdout = "", stderr = "";
child.stdout.on("data", (d) => { stdout += d; });
const exited = new Promise((resolve) => child.on("exit", resolve));
const url = await new Promise((resolve, reject) => {
  child.stderr.on("data", (d) => {
    stderr += d;
    const m = stderr.match(/dashboard at (http:\/\/[0-9.:]+\/)/);
    if (m) resolve(m[1]);
  });
  child.on("exit", () => reject(new Error(`arr exited early: ${stderr}`)));
  setTimeout(() => reject(new Error("no dashboard address within 20 s")), 20000);
}).catch((e) => fail(e.message));

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "arr-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1200, height: 1000 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  // The page is open while the computation runs: it must see progress reach 100 % and
  // the end of the stream when the program ends.
  await page.waitForSelector('#percent[data-percent="100"]', { timeout: 240000 });
  await page.waitForSelector('body[data-closed="true"]', { timeout: 60000 });
  const code = await exited;
  if (code !== 0) fail(`arr exited with ${code}: ${stderr}`);
  if (!/count 400000000/.test(stdout)) fail(`unexpected W3 output: ${stdout}`);
  const got = await page.evaluate(() => {
    const s = document.getElementById("taskstream").dataset;
    const m = document.getElementById("memory").dataset;
    return {
      tasks: Number(document.getElementById("status").dataset.tasks),
      barTasks: Number(s.tasks), bars: Number(s.bars), lanes: Number(s.lanes),
      maxHeld: Number(m.maxHeld), budget: Number(m.budget), samples: Number(m.samples),
      rate: Number(document.getElementById("elements").dataset.maxRate),
      lit: [...document.querySelectorAll("#plan [data-node]")].filter((g) => g.dataset.progress === "1.000").length,
      nodes: document.querySelectorAll("#plan [data-node]").length,
    };
  });
  await shoot(page, path.join(outDir, "dashboard.png"));
  console.log(`browser test: dashboard ${JSON.stringify(got)}`);
  if (errors.length) fail(`script errors: ${errors.join("; ")}`);
  if (!(got.tasks > 0)) fail("no tasks reported");
  if (got.bars !== got.tasks || got.barTasks !== got.tasks) fail(`${got.bars} bars for ${got.tasks} tasks`);
  if (!(got.lanes >= 1 && got.lanes <= 3)) fail(`${got.lanes} worker lanes with --threads 2`);
  if (!(got.samples >= 2)) fail("no memory samples");
  if (!(got.maxHeld > 0 && got.maxHeld < got.budget)) fail(`memory ${got.maxHeld} not under budget ${got.budget}`);
  if (!(got.rate > 0)) fail("no elements per second");
  if (got.nodes === 0 || got.lit !== got.nodes) fail(`${got.lit} of ${got.nodes} plan boxes lit`);

  // The plan picture opens in the browser and shows every node of the text plan.
  await page.goto(`file://${svgPath}`);
  const boxes = await page.evaluate(() => new Set([...document.querySelectorAll("[data-node]")].map((g) => g.dataset.node)).size);
  const text = execFileSync(arr, ["explain", program]).toString();
  const textNodes = (text.match(/^\s+#\d+ /gm) || []).length;
  await shoot(page, path.join(outDir, "plan.png"));
  console.log(`browser test: plan.svg shows ${boxes} nodes, the text plan ${textNodes}`);
  if (boxes === 0 || boxes !== textNodes) fail(`plan.svg shows ${boxes} nodes, the text plan ${textNodes}`);
  console.log("browser test: ok");
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  if (child.exitCode === null) child.kill();
}

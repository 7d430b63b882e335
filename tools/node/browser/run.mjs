// Kuvert's browser driver for the Rust browser tests (crates/kuvert/tests/it/browser*).
//
// Usage: node run.mjs SCENARIO.json RESULT.json
//   env KUVERT_TEST_CHROMIUM       the Chromium to launch (Debian's /usr/bin/chromium)
//   env KUVERT_TEST_NODE_MODULES   where playwright-core and axe-core are installed
//
// One Chromium runs every walk of the scenario. Each walk gets a fresh browser context with
// JavaScript DISABLED (every page must work without script) and runs its steps in order. Every
// page a walk lands on is checked with axe-core (WCAG 2.0/2.1 A and AA): axe needs script, so
// the page's HTML, as the script-free browser got it, is shown at the same URL with the same
// cookies in a second, script-enabled context (bypassCSP, since axe is injected), where axe
// runs. Only the main document is replayed there, so nothing is submitted or opened twice;
// stylesheets and images load from the real server.
//
// Scenario: { "timeout_ms": 15000, "walks": [ { "name": "...", "locale"?: "sv-SE",
//   "steps": [STEP, ...] } ] }   (locale sets Accept-Language; Swedish when not given)
// STEP is one of
//   { "goto": URL }                                 open URL
//   { "click": NAME, "role"?: "link"|"button",      click a link or button by accessible name
//     "in"?: SELECTOR }                             (only within SELECTOR, e.g. "main")
//   { "fill": LABEL, "value": TEXT }                type into the text field named LABEL
//   { "fill_field": START, "value": TEXT }          fill the one form field (text, date,
//                                                   number) whose label starts with START
//                                                   (labels that carry a hint or a problem)
//   { "check": LABEL }                              tick the checkbox/radio labelled LABEL
//   { "select": LABEL, "option": TEXT }             choose TEXT in the list labelled LABEL
//   { "type": TEXT }                                type TEXT into the focused element
//   { "press": KEY, "navigates"?: true }            press a key on the focused element (and
//                                                   wait for the page it opens)
//   { "tab_to": NAME, "tabs_max"?: N }              press Tab until NAME has focus (keyboard
//                                                   walks); each stop's focus style is recorded
//   { "arrow_to": NAME }                            press ArrowDown until NAME has focus (a
//                                                   radio group is one Tab stop)
//   { "expect_text": TEXT }                         the page shows TEXT
//   { "expect_path": PATH }                         the page's path (and query) is PATH
//   { "download": NAME }                            click NAME, expect a download, record it
//   { "download_key": KEY }                         press KEY on the focused element, expect a
//                                                   download, record it
// Result: { "walks": [ { "name", "pages": [...], "cookies": [...], "set_cookies": [...],
//   "downloads": [...], "focus_stops": [...], "errors": [...] } ] } — see the Rust side
// (crates/kuvert/tests/it/browser/driver.rs) for every field.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TABS_MAX = 60;

const [scenarioPath, resultPath] = process.argv.slice(2);
if (!scenarioPath || !resultPath) {
    console.error('usage: node run.mjs SCENARIO.json RESULT.json');
    process.exit(2);
}
const executablePath = requiredEnv('KUVERT_TEST_CHROMIUM');
const nodeModules = requiredEnv('KUVERT_TEST_NODE_MODULES');
const { chromium } = await import(
    pathToFileURL(join(nodeModules, 'playwright-core', 'index.mjs')).href
);
const axeSource = await readFile(join(nodeModules, 'axe-core', 'axe.min.js'), 'utf8');
const scenario = JSON.parse(await readFile(scenarioPath, 'utf8'));
const timeout = scenario.timeout_ms ?? 15000;

const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
});
const result = { walks: [] };
// Pages already checked with axe, across walks (see pageKey).
const checked = new Set();
try {
    for (const walk of scenario.walks) {
        const started = Date.now();
        const record = await runWalk(walk);
        record.elapsed_ms = Date.now() - started;
        result.walks.push(record);
    }
} finally {
    await browser.close();
}
await writeFile(resultPath, JSON.stringify(result, null, 1));

function requiredEnv(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`${name} is not set`);
        process.exit(2);
    }
    return value;
}

/** Runs one walk in fresh contexts; a failing step ends the walk and is recorded. */
async function runWalk(walk) {
    const record = {
        name: walk.name,
        pages: [],
        cookies: [],
        set_cookies: [],
        downloads: [],
        focus_stops: [],
        console: [],
        errors: [],
    };
    // Swedish first, as a Swedish browser asks (Accept-Language); a walk may say otherwise.
    const context = await browser.newContext({
        javaScriptEnabled: false,
        acceptDownloads: true,
        locale: walk.locale ?? 'sv-SE',
    });
    const axeContext = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
    await axeContext.addInitScript({ content: axeSource });
    context.setDefaultTimeout(timeout);
    axeContext.setDefaultTimeout(timeout);
    const axePage = await axeContext.newPage();
    const page = await context.newPage();
    const state = { lastDocument: null, checked, responses: new Map() };
    page.on('response', (response) => noteResponse(record, state, response));
    // With script off, what reaches the console is the browser's own complaints, such as a
    // navigation or a form the page's Content-Security-Policy refused.
    page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
            record.console.push({ url: page.url(), text: message.text() });
        }
    });
    try {
        for (const [index, step] of walk.steps.entries()) {
            try {
                await runStep(page, step, record, state);
                await page.waitForLoadState('load');
                await checkPage(page, context, axePage, state, record);
            } catch (error) {
                record.errors.push({ step: index, what: JSON.stringify(step), error: `${error}` });
                break;
            }
        }
    } finally {
        await addCookies(context, record);
        await context.close();
        await axeContext.close();
    }
    return record;
}

/** Keeps what the script-free browser was told: Set-Cookie headers and main documents. */
async function noteResponse(record, state, response) {
    const request = response.request();
    const headers = await response.allHeaders().catch(() => ({}));
    const setCookie = await response.headerValues('set-cookie').catch(() => []);
    for (const header of setCookie) {
        record.set_cookies.push({ url: response.url(), header });
    }
    state.responses.set(response.url(), { headers, status: response.status() });
    const isRedirect = response.status() >= 300 && response.status() < 400;
    if (request.isNavigationRequest() && !isRedirect) {
        state.lastDocument = {
            url: response.url(),
            method: request.method(),
            status: response.status(),
            headers,
        };
    }
}

async function runStep(page, step, record, state) {
    if ('goto' in step) {
        await page.goto(step.goto);
    } else if ('click' in step) {
        await target(page, step.click, step.role, step.in).click();
    } else if ('fill' in step) {
        await page.getByRole('textbox', { name: step.fill, exact: true }).fill(step.value);
    } else if ('fill_field' in step) {
        const start = new RegExp(`^\\s*${escapeRegExp(step.fill_field)}`);
        await page.getByLabel(start).fill(step.value);
    } else if ('check' in step) {
        await page.getByLabel(step.check, { exact: false }).check();
    } else if ('select' in step) {
        await page.getByLabel(step.select, { exact: true }).selectOption({ label: step.option });
    } else if ('type' in step) {
        await page.keyboard.type(step.type);
    } else if ('press' in step) {
        await page.bringToFront();
        if (step.navigates) {
            await Promise.all([page.waitForEvent('load'), page.keyboard.press(step.press)]);
        } else {
            await page.keyboard.press(step.press);
        }
    } else if ('tab_to' in step) {
        await moveFocusTo(page, step.tab_to, 'Tab', step.tabs_max ?? TABS_MAX, record);
    } else if ('arrow_to' in step) {
        await moveFocusTo(page, step.arrow_to, 'ArrowDown', TABS_MAX, record);
    } else if ('expect_text' in step) {
        const text = normalise(await page.locator('body').innerText());
        if (!text.includes(normalise(step.expect_text))) {
            throw new Error(`"${step.expect_text}" not on ${page.url()}: ${text.slice(0, 600)}`);
        }
    } else if ('expect_path' in step) {
        const url = new URL(page.url());
        const path = url.pathname + url.search;
        if (path !== step.expect_path) {
            throw new Error(`expected path ${step.expect_path}, at ${path}`);
        }
    } else if ('download' in step) {
        const link = target(page, step.download, step.role, step.in);
        await download(page, record, state, () => link.click());
    } else if ('download_key' in step) {
        await download(page, record, state, () => page.keyboard.press(step.download_key));
    } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
}

/** The one link or button whose accessible name is `name`, within the element `within`
 *  (a CSS selector such as `main` or `header`) when given. */
function target(page, name, role, within) {
    const scope = within ? page.locator(within).first() : page;
    const options = { name, exact: true };
    if (role) {
        return scope.getByRole(role, options);
    }
    return scope.getByRole('link', options).or(scope.getByRole('button', options));
}

/** Presses `key` until the element named `name` has focus, recording each stop. */
async function moveFocusTo(page, name, key, pressesMax, record) {
    // Key presses go to the page in front; the axe pages of the other context came and went.
    await page.bringToFront();
    for (let press = 0; press < pressesMax; press += 1) {
        await page.keyboard.press(key);
        const stop = await focusedElement(page);
        record.focus_stops.push({ url: page.url(), ...stop });
        if (stop.name === name) {
            return;
        }
    }
    throw new Error(`"${name}" not reached with ${pressesMax} presses of ${key} on ${page.url()}`);
}

/** The focused element: its accessible name (as text) and how its focus is drawn. */
async function focusedElement(page) {
    return page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) {
            return { name: '', tag: 'BODY', outline_style: 'none', outline_width_px: 0 };
        }
        const style = getComputedStyle(element);
        const label = element.labels && element.labels[0] ? element.labels[0].innerText : '';
        const name = element.getAttribute('aria-label')
            || label
            || element.innerText
            || element.value
            || '';
        return {
            name: name.replace(/\s+/g, ' ').trim(),
            tag: element.tagName,
            outline_style: style.outlineStyle,
            outline_width_px: parseFloat(style.outlineWidth) || 0,
            box_shadow: style.boxShadow,
        };
    });
}

/** Runs `start`, waits for the download it causes, and records name, type and digest. */
async function download(page, record, state, start) {
    const [file] = await Promise.all([page.waitForEvent('download'), start()]);
    const path = await file.path();
    const bytes = await readFile(path);
    // The headers the browser got; only if Chromium reported no response for the download
    // are they asked for again (HEAD, which the server may audit as another opening).
    const seen = state.responses.get(file.url());
    const headers = seen ? seen.headers : await page.context().request.head(file.url())
        .then((response) => response.headers())
        .catch(() => ({}));
    record.downloads.push({
        url: file.url(),
        suggested_filename: file.suggestedFilename(),
        content_type: headers['content-type'] ?? null,
        content_disposition: headers['content-disposition'] ?? null,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        content_hex: bytes.length <= 65536 ? bytes.toString('hex') : null,
    });
}

/** Runs axe on the page the walk is on, once per distinct URL and content. */
async function checkPage(page, context, axePage, state, record) {
    const url = page.url();
    if (!url.startsWith('http')) {
        return;
    }
    const html = await page.content();
    const key = await pageKey(page, url);
    if (state.checked.has(key)) {
        return;
    }
    state.checked.add(key);
    const landed = state.lastDocument && state.lastDocument.url === url
        ? state.lastDocument
        : { url, method: 'GET', status: null, headers: {} };
    const inline = await page.evaluate(() => ({
        script: document.querySelectorAll('script:not([src])').length,
        style: document.querySelectorAll('style, [style]').length,
    }));
    const axe = await runAxe(context, axePage, url, html, landed.headers);
    record.pages.push({
        url,
        method: landed.method,
        status: landed.status,
        title: await page.title(),
        lang: await page.evaluate(() => document.documentElement.lang),
        csp: landed.headers['content-security-policy'] ?? null,
        frame_options: landed.headers['x-frame-options'] ?? null,
        inline_scripts: inline.script,
        inline_styles: inline.style,
        violations: axe.violations,
        incomplete: axe.incomplete,
    });
}

/** Shows `html` at `url` with the walk's cookies on the script-enabled page; runs axe. */
async function runAxe(context, axePage, url, html, headers) {
    const axeContext = axePage.context();
    await axeContext.clearCookies();
    await axeContext.addCookies(await context.cookies());
    const isThisPage = (candidate) => candidate.href === url;
    await axePage.route(isThisPage, (route) => route.fulfill({
        status: 200,
        contentType: headers['content-type'] ?? 'text/html; charset=utf-8',
        body: html,
    }), { times: 1 });
    await axePage.goto(url);
    const results = await axePage.evaluate(async (tags) => {
        // axe comes with every document of this context (addInitScript in runWalk).
        // eslint-disable-next-line no-undef
        return axe.run(document, { runOnly: { type: 'tag', values: tags } });
    }, AXE_TAGS);
    const brief = (item) => ({
        id: item.id,
        impact: item.impact,
        help: item.help,
        targets: item.nodes.map((node) => node.target.join(' ')),
        summaries: item.nodes.map((node) => node.failureSummary ?? ''),
    });
    return {
        violations: results.violations.map(brief),
        incomplete: results.incomplete.map((item) => item.id),
    };
}

/** What makes a page the same page for axe: where it is (query names, not their values,
 *  which carry one-time state), its language and title, and its headings and controls.
 *  The same page reached again in another walk or state is checked once. */
async function pageKey(page, url) {
    const parsed = new URL(url);
    const names = [...parsed.searchParams.keys()].sort().join(',');
    const shape = await page.evaluate(() => {
        const texts = (selector) => [...document.querySelectorAll(selector)]
            .map((element) => (element.innerText || element.value || '').trim())
            .join('|');
        return [document.documentElement.lang, document.title, texts('h1, h2, h3'),
            texts('a, button, label, [role=alert], [role=status]')].join('\n');
    });
    return `${parsed.origin}${parsed.pathname}?${names}\n${shape}`;
}

async function addCookies(context, record) {
    for (const cookie of await context.cookies()) {
        record.cookies.push({
            name: cookie.name,
            domain: cookie.domain,
            path: cookie.path,
            http_only: cookie.httpOnly,
            secure: cookie.secure,
            same_site: cookie.sameSite,
        });
    }
}

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function normalise(text) {
    return text.replace(/\s+/g, ' ').trim();
}

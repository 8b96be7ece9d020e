package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"studio/internal/app/program"
	"studio/internal/testsupport/testenv"
	"studio/server"
)

// chromiumPath is Debian's chromium, which `make browser` installs.
const chromiumPath = "/usr/bin/chromium"

// requireBrowser skips the test when chromium or the built web app is
// missing, unless STUDIO_REQUIRE_BROWSER=1 (set by `make test`) makes that a
// failure.
func requireBrowser(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = append(missing, chromiumPath+" is missing (install it with `make browser`, i.e. apt-get install chromium)")
	}
	index := filepath.Join(testenv.RepoRoot(t), "ui", "dist", "index.html")
	if _, err := os.Stat(index); err != nil {
		missing = append(missing, index+" is missing (build the web app with `make ui`)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "browser test needs chromium and the built web app: " + strings.Join(missing, "; ")
	if os.Getenv("STUDIO_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// artifactsDir is where screenshots go: $STUDIO_ARTIFACTS/browser, else
// e2e/artifacts/browser in the repository.
func artifactsDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("STUDIO_ARTIFACTS")
	if base == "" {
		base = filepath.Join(testenv.RepoRoot(t), "e2e", "artifacts")
	}
	dir := filepath.Join(base, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts folder: %v", err)
	}
	return dir
}

// browserOptions are chromium's flags: headless, no sandbox (tests often
// run as root), no GPU, nothing that talks to the network on its own, a
// fresh profile and a fixed window.
func browserOptions(profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
}

// page is one chromium tab on the web app, with the steps a user takes:
// open a path, click a control found by its role and accessible name, type
// into a labelled field, wait for what the page shows.
type page struct {
	t       *testing.T
	ctx     context.Context
	base    string
	shots   string
	shotN   int
	console *consoleLog
}

// consoleLog keeps the page's console messages and uncaught exceptions, to
// show them when a step fails.
type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, s)
	if len(c.lines) > 200 {
		c.lines = c.lines[len(c.lines)-200:]
	}
}

func (c *consoleLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return "(none)"
	}
	return strings.Join(c.lines, "\n")
}

// newPage starts chromium and opens a tab; base is the Studio server's URL.
func newPage(t *testing.T, base string) *page {
	t.Helper()
	ctx := startBrowser(t)
	p := &page{t: t, ctx: ctx, base: base, shots: artifactsDir(t), console: &consoleLog{}}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.console.add(m.String())
		}
	}()
	p.clearShots()
	return p
}

// startBrowser starts chromium with a fresh profile. On a busy machine it
// sometimes dies while starting, so it gets three tries.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	var errs []string
	for try := 1; try <= 3; try++ {
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(t.TempDir())...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
		// The first action starts the browser, which lives as long as ctx.
		err := chromedp.Do(ctx)
		if err == nil {
			t.Cleanup(func() {
				cancelCtx()
				cancelAlloc()
			})
			return ctx
		}
		cancelCtx()
		cancelAlloc()
		errs = append(errs, fmt.Sprintf("try %d: %v", try, err))
		t.Logf("start %s, try %d: %v", chromiumPath, try, firstLine(err.Error()))
	}
	t.Fatalf("start %s:\n%s", chromiumPath, strings.Join(errs, "\n"))
	return nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// clearShots removes this test's screenshots of an earlier run.
func (p *page) clearShots() {
	old, _ := filepath.Glob(filepath.Join(p.shots, p.t.Name()+"-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
}

// run runs chromedp steps with a timeout.
func (p *page) run(timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// evalIn evaluates a JavaScript expression in the page, with the page
// library defined, and decodes its value.
func evalIn[T any](p *page, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](pageLibrary+";\n"+expr))
}

// eval is evalIn that fails the test on error.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := evalIn[T](p, expr)
	if err != nil {
		p.fail("evaluate %s: %v", expr, err)
	}
	return v
}

// eval0 runs a JavaScript statement and ignores its value.
func (p *page) eval0(expr string) {
	p.t.Helper()
	if _, err := evalIn[any](p, expr); err != nil {
		p.fail("evaluate %s: %v", expr, err)
	}
}

// open loads path of the web app and waits for its main navigation.
func (p *page) open(path string) {
	p.t.Helper()
	if err := p.run(30*time.Second, chromedp.Navigate(p.base+path)); err != nil {
		p.fail("open %s: %v", path, err)
	}
	p.waitFor("the main navigation of "+path, `!!document.querySelector('nav[aria-label="Main"]')`, 20*time.Second)
}

// waitFor polls a JavaScript condition until it is true, and fails the test
// with what the page shows when it is still false after timeout.
func (p *page) waitFor(what, cond string, timeout time.Duration) {
	p.t.Helper()
	if ok, err := pollJS(p, cond, timeout); !ok {
		msg := fmt.Sprintf("waited %s for %s", timeout, what)
		if err != nil {
			msg += fmt.Sprintf(" (last error: %v)", err)
		}
		p.fail("%s", msg)
	}
}

// pollJS polls a JavaScript condition every 100 ms until it is true or
// timeout passes; it returns the last evaluation error when false.
func pollJS(p *page, cond string, timeout time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := evalIn[bool](p, "!!("+cond+")")
		if err == nil && ok {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fail saves a screenshot and fails the test, showing the page's address,
// text and console.
func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	state, err := evalIn[struct {
		URL  string `json:"url"`
		Text string `json:"text"`
	}](p, `({url: location.href, text: (document.body ? document.body.innerText : '').slice(0, 6000)})`)
	if err != nil {
		state.Text = fmt.Sprintf("(could not read the page: %v)", err)
	}
	shot := p.screenshot("failure")
	p.t.Fatalf("%s\npage %s\n--- page text ---\n%s\n--- console ---\n%s\n--- screenshot: %s", msg, state.URL, state.Text, p.console, shot)
}

// shot saves a full-page screenshot of a step and logs its path.
func (p *page) shot(step string) {
	p.t.Helper()
	if path := p.screenshot(step); path != "" {
		p.t.Logf("screenshot %s: %s", step, path)
	}
}

func (p *page) screenshot(step string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	// A very long page (a thousand commands) is shot as far as the
	// window shows: a full-page capture of it takes too long.
	shoot := chromedp.FullScreenshot(100)
	if h, err := evalIn[float64](p, "document.documentElement.scrollHeight"); err == nil && h > 8000 {
		shoot = chromedp.CaptureScreenshot()
		step += "-top"
	}
	buf, err := chromedp.Run(ctx, shoot)
	if err != nil {
		p.t.Logf("screenshot %s: %v", step, err)
		return ""
	}
	p.shotN++
	path := filepath.Join(p.shots, fmt.Sprintf("%s-%02d-%s.png", p.t.Name(), p.shotN, step))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", step, err)
		return ""
	}
	return path
}

// js quotes a Go string for JavaScript.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// find is the JavaScript expression of the first visible element of a role
// (button, link, tab, checkbox, radio, field, dialog, heading or a CSS
// selector) whose accessible name is name, inside scope (a JavaScript
// expression; "" for the document).
func find(scope, role, name string) string {
	if scope == "" {
		scope = "document"
	}
	return fmt.Sprintf("__st.find(%s, %s, %s)", js(role), js(name), scope)
}

// dialog is the JavaScript expression of the open dialog named name.
func dialog(name string) string { return find("", "dialog", name) }

// present waits until the element of expr exists and is visible.
func (p *page) present(what, expr string, timeout time.Duration) {
	p.t.Helper()
	p.waitFor(what, expr, timeout)
}

// namesOf lists the accessible names of the visible elements of a role, for
// failure messages.
func (p *page) namesOf(scope, role string) []string {
	if scope == "" {
		scope = "document"
	}
	names, _ := evalIn[[]string](p, fmt.Sprintf("__st.names(%s, %s)", js(role), scope))
	return names
}

// click clicks, with the mouse, the element of a role and name inside scope
// once it is enabled and nothing covers it.
func (p *page) click(scope, role, name string) {
	p.t.Helper()
	if !p.clickAt(find(scope, role, name), 20*time.Second) {
		p.fail("no enabled, uncovered %s named %q; the %ss there are named %q", role, name, role, p.namesOf(scope, role))
	}
}

// clickAt clicks the element of a JavaScript expression with the mouse once
// it is enabled and nothing covers it; false when that never happens.
func (p *page) clickAt(expr string, timeout time.Duration) bool {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		pt, err := evalIn[[]float64](p, "__st.clickPoint("+expr+")")
		if err == nil && len(pt) == 2 {
			if err := p.run(10*time.Second, chromedp.MouseClickXY(pt[0], pt[1])); err != nil {
				p.fail("click %s: %v", expr, err)
			}
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fill types value into the field labelled label inside scope, replacing
// what it holds, with key events as a user would. A select gets the option
// whose value or text is value.
func (p *page) fill(scope, label, value string) {
	p.t.Helper()
	expr := find(scope, "field", label)
	p.waitFor(fmt.Sprintf("a field labelled %q (fields: %q)", label, p.namesOf(scope, "field")), expr, 20*time.Second)
	if eval[bool](p, expr+".tagName === 'SELECT'") {
		p.waitFor(fmt.Sprintf("option %q in select %q", value, label), fmt.Sprintf("__st.choose(%s, %s)", expr, js(value)), 20*time.Second)
		return
	}
	p.click(scope, "field", label)
	eval[bool](p, fmt.Sprintf("(() => { const el = %s; el.focus(); if (el.select) el.select(); return true })()", expr))
	if err := p.run(10*time.Second, chromedp.KeyEvent(value)); err != nil {
		p.fail("type into %q: %v", label, err)
	}
	if got := eval[string](p, expr+".value"); got != value {
		p.fail("field %q holds %q after typing %q", label, got, value)
	}
}

// setChecked clicks the checkbox or radio named name until it is checked
// (or unchecked), and fails if a click does not change it.
func (p *page) setChecked(scope, role, name string, want bool) {
	p.t.Helper()
	expr := find(scope, role, name)
	p.waitFor(fmt.Sprintf("a %s named %q (present: %q)", role, name, p.namesOf(scope, role)), expr, 20*time.Second)
	if eval[bool](p, "__st.checked("+expr+")") == want {
		return
	}
	p.click(scope, role, name)
	p.waitFor(fmt.Sprintf("%s %q checked=%v after a click", role, name, want), fmt.Sprintf("__st.checked(%s) === %v", expr, want), 5*time.Second)
}

// text is the visible text of the element of expr ("" when absent).
func (p *page) text(expr string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf("(() => { const el = %s; return el ? __st.norm(el.innerText) : '' })()", expr))
}

// attr is an attribute of the element of expr ("" when absent).
func (p *page) attr(expr, name string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf("(() => { const el = %s; return el ? (el.getAttribute(%s) || '') : '' })()", expr, js(name)))
}

// css is the JavaScript expression of the first element matching a CSS
// selector.
func css(selector string) string { return fmt.Sprintf("document.querySelector(%s)", js(selector)) }

// count is the number of elements matching a CSS selector.
func (p *page) count(selector string) int {
	p.t.Helper()
	return eval[int](p, fmt.Sprintf("document.querySelectorAll(%s).length", js(selector)))
}

// key presses keys (chromedp/kb names such as kb.Tab) on the focused element.
func (p *page) key(keys string) {
	p.t.Helper()
	if err := p.run(10*time.Second, chromedp.KeyEvent(keys)); err != nil {
		p.fail("press %q: %v", keys, err)
	}
}

// audit lists the page's accessibility problems: buttons without an
// accessible name, form fields without a label.
func (p *page) audit() []string {
	p.t.Helper()
	return eval[[]string](p, "__st.audit()")
}

// pageLibrary finds elements the way assistive technology names them. It is
// defined once per document.
const pageLibrary = `if (!window.__st) window.__st = (() => {
  const norm = s => (s || '').replace(/\s+/g, ' ').trim();
  const visible = el => !!el && el.isConnected && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden';
  // The text of an element without the values of the fields inside it.
  const textOf = el => {
    const c = el.cloneNode(true);
    c.querySelectorAll('input,select,textarea,script,style').forEach(n => n.remove());
    return norm(c.textContent);
  };
  const labelledBy = el => {
    const ids = el.getAttribute('aria-labelledby');
    if (!ids) return '';
    return norm(ids.split(/\s+/).map(id => {
      const n = document.getElementById(id);
      return n ? textOf(n) : '';
    }).join(' '));
  };
  const isField = el => el.matches('input,select,textarea');
  const isInputButton = el => el.matches('input[type=button],input[type=submit],input[type=reset]');
  const containers = 'dialog,[role=dialog],[role=alertdialog],nav,section,table,[role=tablist],[role=region],form';
  const name = el => {
    const lb = labelledBy(el);
    if (lb) return lb;
    const al = norm(el.getAttribute('aria-label'));
    if (al) return al;
    if (isInputButton(el)) return norm(el.value);
    if (isField(el)) return el.labels ? norm([...el.labels].map(textOf).join(' ')) : '';
    if (el.matches(containers)) return '';
    return norm(el.innerText || el.textContent);
  };
  const roles = {
    button: 'button,[role=button],input[type=button],input[type=submit],input[type=reset]',
    link: 'a[href],[role=link]',
    tab: '[role=tab]',
    checkbox: 'input[type=checkbox],[role=checkbox],[role=switch]',
    radio: 'input[type=radio],[role=radio]',
    field: 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset]):not([type=hidden]),select,textarea',
    dialog: 'dialog[open],[role=dialog],[role=alertdialog]',
    heading: 'h1,h2,h3,h4,h5,h6,[role=heading]',
  };
  // A visually hidden native checkbox still counts when its label shows.
  const shown = el => visible(el) || (el.labels && [...el.labels].some(visible));
  const all = (role, scope) => scope ? [...scope.querySelectorAll(roles[role] || role)].filter(shown) : [];
  const find = (role, nm, scope) => all(role, scope).find(el => name(el) === nm) || null;
  const names = (role, scope) => all(role, scope).map(name);
  const disabled = el => el.disabled || el.getAttribute('aria-disabled') === 'true';
  // The point to click an element at, or null while it is disabled or
  // something else covers it.
  const clickPoint = el => {
    if (!el || disabled(el)) return null;
    let target = el;
    if (!visible(el) && el.labels) target = [...el.labels].find(visible) || el;
    target.scrollIntoView({block: 'center', inline: 'center'});
    const r = target.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit) return null;
    const ok = hit === el || el.contains(hit) || hit.contains(el) ||
      (el.labels && [...el.labels].some(l => l === hit || l.contains(hit)));
    return ok ? [x, y] : null;
  };
  const checked = el => el.matches('input') ? el.checked : el.getAttribute('aria-checked') === 'true';
  const choose = (sel, value) => {
    const opt = [...sel.options].find(o => o.value === value || norm(o.textContent) === value);
    if (!opt) return false;
    sel.value = opt.value;
    sel.dispatchEvent(new Event('input', {bubbles: true}));
    sel.dispatchEvent(new Event('change', {bubbles: true}));
    return true;
  };
  // Whether text shows the number n, alone (not inside a longer number or
  // word), written plainly or with thousands separators.
  const hasNumber = (text, n) => [String(n), Number(n).toLocaleString('en-US')].some(f =>
    new RegExp('(^|[^\\w.,])' + f.replace(/[.,]/g, '\\$&') + '($|[^\\w.,])').test(text));
  const describe = el => el.outerHTML.replace(/\s+/g, ' ').slice(0, 200);
  const audit = () => {
    const problems = [];
    for (const el of document.querySelectorAll(roles.button)) {
      if (!name(el)) problems.push('button without an accessible name: ' + describe(el));
    }
    for (const el of document.querySelectorAll(roles.field + ',' + roles.checkbox + ',' + roles.radio)) {
      if (!el.matches('input,select,textarea')) {
        if (!name(el)) problems.push('control without a label: ' + describe(el));
        continue;
      }
      const label = labelledBy(el) || norm(el.getAttribute('aria-label')) ||
        (el.labels ? norm([...el.labels].map(textOf).join(' ')) : '');
      if (!label) problems.push('field without a label: ' + describe(el));
    }
    return problems;
  };
  const focusName = () => {
    const el = document.activeElement;
    if (!el || el === document.body) return {name: '', inNav: false, tag: el ? el.tagName : ''};
    return {name: name(el), inNav: !!el.closest('nav[aria-label="Main"]'), tag: el.tagName};
  };
  return {norm, name, find, names, clickPoint, checked, choose, audit, focusName, hasNumber, visible};
})()`

// appServer is a Studio server for the browser on a fixed address, which
// the test can stop and start again on the same port (the web app must
// reconnect by itself).
type appServer struct {
	t    *testing.T
	deps server.Deps
	addr string
	srv  *server.Server
	done chan struct{}
}

// startAppServer starts a server over the stack's engines, assembled as
// the studio binary assembles it (program.ServerDeps), on a free loopback
// port; webUI is the Temporal Web UI's address, or "".
func (s *stack) startAppServer(webUI string) *appServer {
	s.t.Helper()
	deps := program.ServerDeps(s.cfg, s.eng, s.dev.Client(), nil, "")
	deps.TemporalUIURL = webUI
	a := &appServer{t: s.t, deps: deps}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	a.addr = ln.Addr().String()
	a.serve(ln)
	s.t.Cleanup(a.stop)
	return a
}

// URL is the server's base URL.
func (a *appServer) URL() string { return "http://" + a.addr }

func (a *appServer) serve(ln net.Listener) {
	a.srv = server.New(a.deps)
	a.done = make(chan struct{})
	go func(srv *server.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil {
			a.t.Logf("studio server on %s: %v", a.addr, err)
		}
	}(a.srv, a.done)
}

// stop shuts the server down and waits until it no longer serves.
func (a *appServer) stop() {
	if a.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		a.t.Logf("shut down the studio server: %v", err)
	}
	<-a.done
	a.srv = nil
}

// restart starts a new server on the same address.
func (a *appServer) restart() {
	a.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", a.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		a.t.Fatalf("listen again on %s: %v", a.addr, err)
	}
	a.serve(ln)
}

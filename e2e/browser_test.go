package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/testsupport/testenv"
)

// cgiExpectations reads the tutorial's TSV the way its parser does (one
// document per MUT variant, keyed by gDNA) and returns the number of
// documents and of those with a row whose gene is ABL1.
func cgiExpectations(t *testing.T, tsv []byte) (docs, abl1 int) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(string(tsv)))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	header, err := r.Read()
	if err != nil {
		t.Fatalf("TSV header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	ids, withABL1 := map[string]bool{}, map[string]bool{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("TSV: %v", err)
		}
		id := row[col["gDNA"]]
		if row[col["Alteration type"]] != "MUT" || id == "" {
			continue
		}
		ids[id] = true
		if row[col["Gene"]] == "ABL1" {
			withABL1[id] = true
		}
	}
	return len(ids), len(withABL1)
}

// hasNumberJS is the JavaScript test that the element of expr shows n.
func hasNumberJS(expr string, n int) string {
	return fmt.Sprintf("(() => { const el = %s; return !!el && __st.hasNumber(el.innerText, %d) })()", expr, n)
}

// navigate follows a link of the main navigation and waits for the path.
func (p *page) navigate(link, path string) {
	p.t.Helper()
	p.click(`document.querySelector('nav[aria-label="Main"]')`, "link", link)
	p.waitFor("the address "+path, fmt.Sprintf("location.pathname === %s", js(path)), 10*time.Second)
}

// TestBrowserTutorial is the tutorial from the web app alone: register the
// CGI plugin, dump and upload it, inspect and edit the mapping, build,
// release, and start an API that answers a query.
func TestBrowserTutorial(t *testing.T) {
	requireBrowser(t)
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	wantDocs, wantABL1 := cgiExpectations(t, tsv)
	if wantDocs == 0 || wantABL1 == 0 {
		t.Fatalf("the TSV gives %d documents, %d with ABL1: nothing to test", wantDocs, wantABL1)
	}
	s := newStack(t, true)
	app := s.startAppServer("")
	lab := serveLabFile(t, "cgi_biomarkers_per_variant.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	repo := cgiPluginRepo(t, "cgi", lab.URL)
	commit, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	p := newPage(t, app.URL())

	// Register the plugin.
	p.open("/sources")
	p.click("", "button", "New data plugin")
	dlg := dialog("New data plugin")
	p.present("the dialog New data plugin", dlg, 10*time.Second)
	p.fill(dlg, "Git URL", repo)
	p.shot("register-dialog")
	p.click(dlg, "button", "Register")
	row := css(`tr[data-source="cgi"]`)
	p.present("the row of source cgi after registering", row, time.Minute)
	if href := p.attr(find(row, "link", "cgi"), "href"); !strings.HasSuffix(href, "/sources/cgi") {
		p.fail("the row's link cgi goes to %q, want /sources/cgi", href)
	}
	for _, b := range []string{"Dump cgi", "Upload cgi", "Inspect cgi"} {
		p.present("the button "+b, find(row, "button", b), 5*time.Second)
	}
	p.shot("registered")

	// Dump; the upload follows by itself.
	p.click(row, "button", "Dump cgi")
	p.waitFor(fmt.Sprintf("the row of cgi to show %d documents", wantDocs), hasNumberJS(row, wantDocs), 3*time.Minute)
	p.waitFor("the row of cgi to show the release 2026-03-14 (the data's Last-Modified)", fmt.Sprintf(`(%s).innerText.includes("2026-03-14")`, row), 10*time.Second)
	if n, err := s.eng.Src.C("cgi").Count(context.Background()); err != nil || n != int64(wantDocs) {
		t.Fatalf("the source collection holds %d documents (%v), the TSV gives %d", n, err, wantDocs)
	}
	p.shot("uploaded")

	// The source page.
	p.click(row, "link", "cgi")
	p.waitFor("the source page of cgi", `location.pathname === "/sources/cgi" && !!document.querySelector("h1") && __st.norm(document.querySelector("h1").innerText).includes("cgi")`, 10*time.Second)
	tabs := css(`[role="tablist"]`)
	p.click(tabs, "tab", "Dumper")
	p.waitFor("the Dumper tab to show the release 2026-03-14 (the data's Last-Modified)", `document.body.innerText.includes("2026-03-14")`, 10*time.Second)
	p.shot("source-dumper")
	p.click(tabs, "tab", "Uploader")
	p.waitFor(fmt.Sprintf("the Uploader tab's upload-count to be %d", wantDocs),
		fmt.Sprintf(`[...document.querySelectorAll('[data-testid="upload-count"]')].some(e => e.innerText.replace(/[^0-9]/g, '') === %q)`, strconv.Itoa(wantDocs)), 10*time.Second)
	p.shot("source-uploader")
	p.click(tabs, "tab", "Plugin")
	p.waitFor("the Plugin tab to show the plugin's commit", fmt.Sprintf("document.body.innerText.includes(%s)", js(string(commit[:7]))), 10*time.Second)
	p.shot("source-plugin")

	// Inspect, edit, save, validate, commit the mapping.
	p.click(tabs, "tab", "Mapping")
	if !p.clickAt(find("", "button", "Inspect"), 20*time.Second) {
		t.Log("no Inspect button on the Mapping tab: inspecting from the sources list")
		p.navigate("Sources", "/sources")
		p.click(row, "button", "Inspect cgi")
		p.click(row, "link", "cgi")
		p.click(tabs, "tab", "Mapping")
	}
	field := css(`tr[data-field="cgi.gene"]`)
	p.waitFor("the inspected field cgi.gene on the Mapping tab", field, 2*time.Minute)
	p.shot("mapping-inspected")
	sbd := find(field, "checkbox", "Search by default cgi.gene")
	p.present("the checkbox Search by default cgi.gene", sbd, 5*time.Second)
	if eval[bool](p, "__st.checked("+sbd+")") {
		p.fail("cgi.gene is searched by default before any edit")
	}
	edited := css(`[data-testid="mapping-edited"]`)
	p.setChecked(field, "checkbox", "Search by default cgi.gene", true)
	p.waitFor("the mark 'edited' after toggling a field", fmt.Sprintf(`(() => { const e = %s; return !!e && __st.visible(e) && __st.norm(e.innerText) === "edited" })()`, edited), 5*time.Second)
	p.shot("mapping-edited")
	p.click("", "button", "Save")
	p.waitFor("the mark 'edited' to go after Save", fmt.Sprintf(`(() => { const e = %s; return !e || !__st.visible(e) || __st.norm(e.innerText) !== "edited" })()`, edited), 10*time.Second)
	var m struct{ Inspect, Registered map[string]any }
	s.do("GET", "/source/cgi/mapping", nil, &m)
	if !copiesToAll(m.Inspect) {
		t.Fatalf("after Save, the inspected mapping's cgi.gene = %v, want copy_to all", m.Inspect)
	}
	message := css(`[data-testid="mapping-message"]`)
	p.click("", "button", "Validate")
	p.waitFor("a validation message", fmt.Sprintf(`/valid/i.test((%s || {}).innerText || "")`, message), 30*time.Second)
	if msg := p.text(message); strings.Contains(strings.ToLower(msg), "invalid") || strings.Contains(strings.ToLower(msg), "error") {
		p.fail("validating the mapping says %q", msg)
	}
	validated := p.text(message)
	p.click("", "button", "Commit")
	p.waitFor("a commit message", fmt.Sprintf(`(() => { const e = %s; return !!e && __st.norm(e.innerText) !== "" && __st.norm(e.innerText) !== %s })()`, message, js(validated)), 30*time.Second)
	s.do("GET", "/source/cgi/mapping", nil, &m)
	if !copiesToAll(m.Registered) {
		t.Fatalf("after Commit, the registered mapping's cgi.gene = %v, want copy_to all", m.Registered)
	}
	p.shot("mapping-committed")

	// A build configuration and a build.
	p.navigate("Builds", "/builds")
	p.click("", "button", "New configuration")
	conf := dialog("Build configuration")
	p.present("the dialog Build configuration", conf, 10*time.Second)
	p.fill(conf, "Name", "tutorial")
	p.fill(conf, "Document type", "variant")
	p.setChecked(conf, "checkbox", "cgi", true)
	p.shot("build-configuration")
	p.click(conf, "button", "Save")
	section := css(`[data-conf="tutorial"]`)
	p.present("the configuration tutorial", section, 20*time.Second)
	p.click(section, "button", "New build tutorial")
	buildRow := fmt.Sprintf(`(%s || document).querySelector("tr[data-build]")`, section)
	p.waitFor(fmt.Sprintf("a completed build of tutorial with %d documents", wantDocs),
		fmt.Sprintf(`(() => { const r = %s; return !!r && /success|completed|done/i.test(r.innerText) && __st.hasNumber(r.innerText, %d) })()`, buildRow, wantDocs), 3*time.Minute)
	buildID := p.attr(buildRow, "data-build")
	var build struct {
		Status string
		Count  int64
	}
	s.do("GET", "/build/"+buildID, nil, &build)
	if build.Status != "success" || build.Count != int64(wantDocs) {
		t.Fatalf("GET /build/%s = %+v, want success with %d documents", buildID, build, wantDocs)
	}
	p.shot("built")

	// A full release into a named index.
	if !p.clickAt(fmt.Sprintf(`(%s).querySelector('a[href$="/builds/%s"]')`, buildRow, buildID), 10*time.Second) {
		p.fail("no link to /builds/%s in the build's row", buildID)
	}
	p.waitFor("the build page", fmt.Sprintf(`location.pathname === "/builds/%s" && !!document.querySelector("h1") && document.querySelector("h1").innerText.includes(%s)`, buildID, js(buildID)), 10*time.Second)
	btabs := css(`[role="tablist"]`)
	p.click(btabs, "tab", "Releases")
	p.click("", "button", "New release")
	rel := dialog("New release")
	p.present("the dialog New release", rel, 10*time.Second)
	p.present("the radio Incremental", find(rel, "radio", "Incremental"), 10*time.Second)
	if !eval[bool](p, find(rel, "radio", "Incremental")+".disabled") {
		p.fail("Incremental is enabled for the first build of a configuration")
	}
	p.waitFor("the reason why Incremental is off", fmt.Sprintf(`(%s).innerText.includes("no earlier successful build")`, rel), 10*time.Second)
	p.setChecked(rel, "radio", "Full", true)
	const index = "cgi_tutorial"
	p.fill(rel, "Index name", index)
	p.shot("release-dialog")
	p.click(rel, "button", "Release")
	release := fmt.Sprintf(`[...document.querySelectorAll('[data-testid="release"]')].find(e => e.innerText.includes(%s))`, js(index))
	p.present("the release "+index, release, time.Minute)
	var res activities.IndexResult
	result(t, s.wait("index/"+index, 2*time.Minute), &res)
	if res.Count != int64(wantDocs) {
		t.Fatalf("release = %+v, want %d documents", res, wantDocs)
	}
	p.shot("released")

	// An API on the index.
	port := freePort(t)
	p.navigate("APIs", "/apis")
	p.click("", "button", "New API")
	api := dialog("New API")
	p.present("the dialog New API", api, 10*time.Second)
	p.fill(api, "Name", "cgi_api")
	p.fill(api, "Index", index)
	p.fill(api, "Port", strconv.Itoa(port))
	p.shot("api-dialog")
	p.click(api, "button", "Create")
	apiRow := css(`tr[data-api="cgi_api"]`)
	status := fmt.Sprintf(`(%s || document).querySelector('[data-testid="api-status"]')`, apiRow)
	p.waitFor("the API cgi_api, stopped", fmt.Sprintf(`!!%s && __st.norm((%s).innerText) === "stopped"`, apiRow, status), 20*time.Second)
	p.click(apiRow, "button", "Start cgi_api")
	p.waitFor("the API cgi_api running", fmt.Sprintf(`__st.norm((%s).innerText) === "running"`, status), time.Minute)
	p.shot("api-running")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(t, base+"/status", 30*time.Second)
	var q struct {
		Total int64
		Hits  []map[string]any
	}
	if code := httpGetJSON(t, base+"/query?q=ABL1", &q); code != http.StatusOK || len(q.Hits) == 0 || q.Total != int64(wantABL1) {
		t.Fatalf("GET %s/query?q=ABL1 = %d, total %d, %d hits; want %d", base, code, q.Total, len(q.Hits), wantABL1)
	}
	host := eval[string](p, "location.hostname")
	for link, path := range map[string]string{"query": "/query", "metadata": "/metadata"} {
		href := p.attr(find(apiRow, "link", link), "href")
		u, err := url.Parse(href)
		if err != nil || u.Hostname() != host || u.Port() != strconv.Itoa(port) || u.Path != path {
			p.fail("the %s example link is %q, want http://%s:%d%s...", link, href, host, port, path)
		}
	}

	// The lab publishes an edited file: dump and build again, then an
	// incremental release (diff, then sync) updates the index the API
	// serves, and the release note tells what changed.
	lab.publish(zipOf(t, "cgi_biomarkers_per_variant.tsv", editCGI(t, tsv, 3, 2, 2)), lastModified.Add(48*time.Hour))
	p.navigate("Sources", "/sources")
	p.click(row, "button", "Dump cgi")
	p.waitFor("the row of cgi to show the new release 2026-03-16", fmt.Sprintf(`(%s).innerText.includes("2026-03-16")`, row), 3*time.Minute)
	s.wait("dump/cgi", time.Minute)
	result(t, s.wait("upload/cgi", 2*time.Minute), &[]activities.UploadResult{})
	p.navigate("Builds", "/builds")
	p.click(section, "button", "New build tutorial")
	newRow := fmt.Sprintf(`[...(%s || document).querySelectorAll("tr[data-build]")].find(r => r.dataset.build !== %s)`, section, js(buildID))
	p.waitFor("a second completed build of tutorial",
		fmt.Sprintf(`(() => { const r = %s; return !!r && /success|completed|done/i.test(r.innerText) })()`, newRow), 3*time.Minute)
	newID := p.attr(newRow, "data-build")
	if !p.clickAt(fmt.Sprintf(`(%s).querySelector('a[href$="/builds/%s"]')`, newRow, newID), 10*time.Second) {
		p.fail("no link to /builds/%s in the second build's row", newID)
	}
	p.waitFor("the second build's page", fmt.Sprintf(`location.pathname === "/builds/%s"`, newID), 10*time.Second)
	p.click(btabs, "tab", "Releases")
	p.click("", "button", "New release")
	p.present("the dialog New release", rel, 10*time.Second)
	p.waitFor("Incremental enabled for the second build", fmt.Sprintf(`!!(%s) && !(%s).disabled`, find(rel, "radio", "Incremental"), find(rel, "radio", "Incremental")), 10*time.Second)
	p.setChecked(rel, "radio", "Incremental", true)
	p.fill(rel, "Index name", index)
	p.shot("incremental-dialog")
	p.click(rel, "button", "Release")
	p.waitFor("the sync into "+index+" to start", fmt.Sprintf(`document.body.innerText.includes("Incremental release into %s started")`, index), 2*time.Minute)
	if cmd := s.wait("sync/"+index, 2*time.Minute); cmd.Status != "completed" {
		t.Fatalf("the sync into %s: %s %s", index, cmd.Status, cmd.Failure)
	}
	assertIndexEqualsBuild(t, s, index, newID)
	p.waitFor("the release list to show the diff synced into "+index,
		fmt.Sprintf(`[...document.querySelectorAll('[data-testid="release"]')].some(e => e.innerText.includes("synced into %s"))`, index), time.Minute)
	p.click("", "button", "Release note")
	p.waitFor("the release note naming the changed field", `document.body.innerText.includes("cgi.association")`, time.Minute)
	p.shot("incremental-released")

	p.navigate("APIs", "/apis")
	p.click(apiRow, "button", "Stop cgi_api")
	p.waitFor("the API cgi_api stopped", fmt.Sprintf(`__st.norm((%s).innerText) === "stopped"`, status), time.Minute)
	p.shot("api-stopped")

	// The home page tells what happened.
	p.navigate("Home", "/")
	p.waitFor("the heading Home", `!!__st.find("heading", "Home", document)`, 10*time.Second)
	p.waitFor("recent activity about cgi", `[...document.querySelectorAll('[data-testid="activity"]')].some(e => e.innerText.includes("cgi"))`, 20*time.Second)
	p.shot("home")
}

// copiesToAll reports whether a mapping's cgi.gene is searched by default.
func copiesToAll(mapping map[string]any) bool {
	v, _ := docstore.GetPath(mapping, "cgi.properties.gene.copy_to")
	list, _ := v.([]any)
	for _, x := range list {
		if x == "all" {
			return true
		}
	}
	return false
}

// TestBrowserLiveAndAccessibility checks the live channel (commands and
// notifications without reload, the indicator through a server restart) and
// the accessibility basics of every page.
func TestBrowserLiveAndAccessibility(t *testing.T) {
	requireBrowser(t)
	s := newStack(t, true)
	webUI := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	app := s.startAppServer(webUI)
	registerDemo(t, s)
	p := newPage(t, app.URL())
	p.open("/")
	p.eval0("window.__sameDocument = true")
	sameDocument := func(step string) {
		if !eval[bool](p, "window.__sameDocument === true") {
			p.fail("the page reloaded during %s", step)
		}
	}

	// A command started outside the browser appears without reload, and
	// its notification raises the unread count.
	{
		p.navigate("Commands", "/commands")
		unread := func() int {
			n, _ := strconv.Atoi(strings.TrimSpace(p.text(css(`[data-testid="unread-count"]`))))
			return n
		}
		before := unread()
		var started struct{ ID string }
		s.do("POST", "/selfcheck", map[string]string{"note": "browser"}, &started)
		cmd := css(fmt.Sprintf(`[data-testid="command"][data-command-id="%s"]`, started.ID))
		p.waitFor("the self-check "+started.ID+" on the Commands page", cmd, 30*time.Second)
		p.waitFor("the self-check completed", fmt.Sprintf(`(%s).getAttribute("data-status") === "completed"`, cmd), 30*time.Second)
		p.waitFor(fmt.Sprintf("the unread count to go above %d", before), fmt.Sprintf(`parseInt((%s || {}).innerText || "0", 10) > %d`, css(`[data-testid="unread-count"]`), before), 20*time.Second)
		sameDocument("the self-check")
		href := p.attr(find(cmd, "link", "Temporal"), "href")
		prefix := webUI + "/namespaces/default/workflows/"
		if !strings.HasPrefix(href, prefix) || (!strings.Contains(href, started.ID) && !strings.Contains(href, url.PathEscape(started.ID))) {
			p.fail("the command's Temporal link is %q, want %s<%s>", href, prefix, started.ID)
		}
		p.shot("command-live")

		p.click("", "button", "Notifications")
		notes := dialog("Notifications")
		p.present("the dialog Notifications", notes, 10*time.Second)
		p.waitFor("a notification of "+started.ID, fmt.Sprintf(`[...(%s).querySelectorAll('[data-testid="notification"]')].some(e => e.innerText.includes(%s))`, notes, js(started.ID)), 10*time.Second)
		p.shot("notifications")
		p.waitFor("the unread count to clear once read", fmt.Sprintf(`parseInt((%s || {}).innerText || "0", 10) === 0`, css(`[data-testid="unread-count"]`)), 10*time.Second)
		p.escapeCloses("Notifications", "Notifications")
	}

	// The live indicator follows a server stop and start.
	{
		ind := css(`[data-testid="live-indicator"]`)
		p.waitFor("the live indicator connected", fmt.Sprintf(`(%s).getAttribute("data-state") === "connected" && (%s).getAttribute("data-latency-ms") !== null`, ind, ind), 20*time.Second)
		if role := p.attr(ind, "role"); role != "status" {
			p.fail("the live indicator's role is %q, want status", role)
		}
		label := p.attr(ind, "aria-label")
		latency, err := strconv.ParseFloat(p.attr(ind, "data-latency-ms"), 64)
		if err != nil || latency < 0 || !strings.Contains(strings.ToLower(label), "connected") || !strings.Contains(label, "ms") {
			p.fail("live indicator: aria-label %q, data-latency-ms %q", label, p.attr(ind, "data-latency-ms"))
		}
		t.Logf("live indicator: %q", label)
		p.shot("live-connected")

		app.stop()
		p.waitFor("the live indicator disconnected once the server stopped", fmt.Sprintf(`(%s).getAttribute("data-state") === "disconnected"`, ind), 20*time.Second)
		if label := p.attr(ind, "aria-label"); !strings.Contains(strings.ToLower(label), "disconnected") {
			p.fail("the disconnected indicator's aria-label is %q", label)
		}
		p.shot("live-disconnected")
		app.restart()
		p.waitFor("the live indicator to reconnect by itself", fmt.Sprintf(`(%s).getAttribute("data-state") === "connected"`, ind), 30*time.Second)
		sameDocument("the reconnection")
		p.shot("live-reconnected")

		var started struct{ ID string }
		s.do("POST", "/selfcheck", map[string]string{"note": "after restart"}, &started)
		p.waitFor("the self-check "+started.ID+" after the reconnection", css(fmt.Sprintf(`[data-testid="command"][data-command-id="%s"]`, started.ID)), 30*time.Second)
		sameDocument("the second self-check")
		p.shot("command-after-restart")
	}

	// Accessibility basics on every page and dialog.
	{
		var problems []string
		check := func(where string) {
			for _, pr := range p.audit() {
				problems = append(problems, where+": "+pr)
			}
		}
		// Escape closes a dialog and gives the focus back to its opener.
		dialogs := map[string][2]string{"/sources": {"New data plugin", "New data plugin"}, "/builds": {"New configuration", "Build configuration"}, "/apis": {"New API", "New API"}}
		pages := []struct{ link, path string }{{"Home", "/"}, {"Sources", "/sources"}, {"Builds", "/builds"}, {"APIs", "/apis"}, {"Commands", "/commands"}}
		for _, pg := range pages {
			p.navigate(pg.link, pg.path)
			p.waitFor("the page "+pg.path+" to render", `!!document.querySelector("main h1, h1")`, 10*time.Second)
			check(pg.path)
			p.shot("a11y-" + strings.ToLower(pg.link))
			if d, ok := dialogs[pg.path]; ok {
				p.click("", "button", d[0])
				p.present("the dialog "+d[1], dialog(d[1]), 10*time.Second)
				check(pg.path + " dialog " + d[1])
				p.escapeCloses(d[1], d[0])
			}
			if pg.path == "/sources" {
				p.click(css(`tr[data-source="demo"]`), "link", "demo")
				p.waitFor("the source page of demo", `location.pathname === "/sources/demo" && !!document.querySelector('[role="tablist"]')`, 10*time.Second)
				for _, tab := range []string{"Dumper", "Uploader", "Plugin", "Mapping"} {
					p.click(css(`[role="tablist"]`), "tab", tab)
					check("/sources/demo tab " + tab)
				}
				p.shot("a11y-sources-demo")
			}
		}
		p.click("", "button", "Workers")
		p.present("the dialog Workers", dialog("Workers"), 10*time.Second)
		check("dialog Workers")
		p.shot("a11y-workers")
		p.escapeCloses("Workers", "Workers")
		if len(problems) > 0 {
			t.Errorf("accessibility problems:\n%s", strings.Join(problems, "\n"))
		}

		// Tab walks through the main navigation in order; Enter follows a link.
		p.navigate("Home", "/")
		// Wherever the focus starts, Tab cycles through the page: follow it
		// from the Home link to the Commands link.
		want := []string{"Home", "Sources", "Builds", "APIs", "Commands"}
		var seen []string
		for range 80 {
			p.key(kb.Tab)
			f := eval[struct {
				Name  string `json:"name"`
				InNav bool   `json:"inNav"`
			}](p, "__st.focusName()")
			if f.InNav && f.Name == "Home" {
				seen = nil
			}
			if f.InNav {
				seen = append(seen, f.Name)
			}
			if f.InNav && f.Name == "Commands" && len(seen) > 0 && seen[0] == "Home" {
				break
			}
		}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			p.fail("Tab went through the main navigation as %q, want %q", seen, want)
		}
		p.key(kb.Enter)
		p.waitFor("Enter on the Commands link to open /commands", `location.pathname === "/commands"`, 10*time.Second)
		p.waitFor("the Commands page", `!!__st.find("checkbox", "Show all", document)`, 10*time.Second)
		sameDocument("the keyboard navigation")
		p.shot("keyboard-commands")
	}

}

// escapeCloses presses Escape in the open dialog named name, once the
// dialog has taken the focus, and checks that the dialog closes and the
// focus goes back to the button named opener.
func (p *page) escapeCloses(name, opener string) {
	p.t.Helper()
	p.waitFor("the dialog "+name+" to take the focus", fmt.Sprintf(`(() => { const d = %s; return !!d && d.contains(document.activeElement) })()`, dialog(name)), 5*time.Second)
	p.key(kb.Escape)
	p.waitFor("Escape to close the dialog "+name, "!"+dialog(name), 5*time.Second)
	p.waitFor("the focus back on the button "+opener, fmt.Sprintf(`__st.focusName().name === %s`, js(opener)), 5*time.Second)
}

// TestBrowserReloads opens every client-side route directly, as a reload
// or a bookmark does: each must load the web app, not a hub API answer.
func TestBrowserReloads(t *testing.T) {
	requireBrowser(t)
	s := newStack(t, true)
	app := s.startAppServer("")
	registerDemo(t, s)
	p := newPage(t, app.URL())
	var broken []string
	for _, path := range []string{"/", "/sources", "/sources/demo", "/builds", "/apis", "/commands", "/plugins/new"} {
		if err := p.run(30*time.Second, chromedp.Navigate(app.URL()+path)); err != nil {
			p.fail("open %s: %v", path, err)
		}
		// A hub API answer (JSON) ends the wait at once.
		_, err := pollJS(p, `document.contentType !== "text/html" || (!!document.querySelector('nav[aria-label="Main"]') && !!document.querySelector("h1"))`, 15*time.Second)
		if ok, _ := evalIn[bool](p, `document.contentType === "text/html" && !!document.querySelector('nav[aria-label="Main"]')`); !ok {
			body, _ := evalIn[string](p, "document.contentType + ': ' + (document.body ? document.body.innerText : '').slice(0, 100)")
			broken = append(broken, fmt.Sprintf("%s shows %q (%v)", path, body, err))
		}
		p.shot("reload-" + strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"))
	}
	if len(broken) > 0 {
		t.Errorf("opened directly, these routes do not load the web app:\n%s", strings.Join(broken, "\n"))
	}
}

// registerDemo registers a small plugin named demo through the hub API.
func registerDemo(t *testing.T, s *stack) {
	t.Helper()
	data := serveFile(t, "demo.zip", zipOf(t, "demo.tsv", []byte("a\tb\n")), 0)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": testenv.GitRepo(t, "demo", map[string]string{
		"manifest.json": tutorialManifest(data.URL+"/demo.zip", ""),
		"parser.py":     tutorialParser,
	})}, nil)
}

// noopWorkflow is the cheapest command there is: one workflow task, no
// activity.
func noopWorkflow(workflow.Context) error { return nil }

// runNoops runs n no-op workflows to completion, at most 50 at a time, on a
// task queue of their own with a worker in this process; eager starts hand
// each its first workflow task in the start's answer.
func runNoops(ctx context.Context, s *stack, n int) error {
	const queue = "browser-noop"
	w := sdkworker.New(s.dev.Client(), queue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "Noop"})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start the no-op worker: %w", err)
	}
	defer w.Stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, 50)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			run, err := s.dev.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("noop/%04d", i), TaskQueue: queue, EnableEagerStart: true,
			}, "Noop")
			if err == nil {
				err = run.Get(ctx, nil)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d no-op commands failed, first: %w", len(errs), n, errs[0])
	}
	return nil
}

// TestBrowserManyCommands measures how long the Commands page takes to show
// 1,000 commands and the Sources page 100 sources.
func TestBrowserManyCommands(t *testing.T) {
	requireBrowser(t)
	s := newStack(t, true)
	app := s.startAppServer("")
	ctx := context.Background()

	const nSources = 100
	var dumps, plugins []docstore.Doc
	for i := range nSources {
		name := fmt.Sprintf("src_%03d", i)
		dumps = append(dumps, docstore.Doc{
			"_id": name, "src_name": name, "data_plugin": name,
			"download": map[string]any{"status": hub.Success, "release": "2026-03-14", "data_folder": "/data/" + name, "started_at": hub.Now(), "time": 1.5},
			"upload":   map[string]any{"jobs": map[string]any{name: map[string]any{"status": hub.Success, "count": int64(1000*i + 7), "step": "done", "last_success": hub.Now()}}},
		})
		plugins = append(plugins, docstore.Doc{"_id": name, "plugin": map[string]any{
			"url": "https://example.org/plugins/" + name + ".git", "type": "git", "active": true, "branch": "main", "commit": "0123456789abcdef",
		}})
	}
	if err := s.eng.Hub.C(hub.SrcDump).Upsert(ctx, dumps); err != nil {
		t.Fatal(err)
	}
	if err := s.eng.Hub.C(hub.DataPlugin).Upsert(ctx, plugins); err != nil {
		t.Fatal(err)
	}

	const nCommands = 1000
	start := time.Now()
	if err := runNoops(ctx, s, nCommands); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d commands started and completed in %s", nCommands, time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list []struct{ ID string }
		s.do("GET", "/commands?limit=1000", nil, &list)
		if len(list) == nCommands {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /commands lists %d commands, want %d", len(list), nCommands)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// What the hub API alone takes, to tell it apart from rendering.
	for _, path := range []string{"/commands?limit=1000", "/sources"} {
		t0 := time.Now()
		s.do("GET", path, nil, nil)
		t.Logf("GET %s answers in %s", path, time.Since(t0).Round(time.Millisecond))
	}

	p := newPage(t, app.URL())
	p.open("/")
	showAll := find("", "checkbox", "Show all")
	t0 := time.Now()
	p.navigate("Commands", "/commands")
	p.waitFor("the checkbox Show all", showAll, 20*time.Second)
	if !eval[bool](p, "__st.checked("+showAll+")") {
		p.waitFor("the last 50 commands", `document.querySelectorAll('[data-testid="command"]').length === 50`, 30*time.Second)
		tFirst := time.Since(t0)
		t1 := time.Now()
		p.setChecked("", "checkbox", "Show all", true)
		p.waitFor("1,000 commands with Show all", `document.querySelectorAll('[data-testid="command"]').length === 1000`, time.Minute)
		t.Logf("Commands page: the last 50 commands %s after navigation; all 1,000 %s after checking Show all", tFirst.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	} else {
		p.waitFor("1,000 commands with Show all", `document.querySelectorAll('[data-testid="command"]').length === 1000`, time.Minute)
	}
	t.Logf("Commands page: %d commands rendered %s after navigation (Show all checked)", nCommands, time.Since(t0).Round(time.Millisecond))
	if n := p.count(`[data-testid="command"][data-status="completed"]`); n != nCommands {
		p.fail("%d of the %d commands show data-status completed", n, nCommands)
	}
	p.shot("commands-1000")

	p.navigate("Home", "/")
	t0 = time.Now()
	p.navigate("Sources", "/sources")
	p.waitFor("100 source rows", fmt.Sprintf(`document.querySelectorAll('tr[data-source]').length === %d`, nSources), time.Minute)
	t.Logf("Sources page: %d sources rendered %s after navigation", nSources, time.Since(t0).Round(time.Millisecond))
	p.waitFor("source src_042's document count", hasNumberJS(css(`tr[data-source="src_042"]`), 42007), 10*time.Second)
	p.shot("sources-100")
}

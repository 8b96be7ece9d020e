package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"studio/activities"
	"studio/internal/testsupport/testenv"
)

// TestBrowserPluginFromFile makes the tutorial's plugin without a line of
// code or JSON: paste the CGI file's URL on the page New plugin from a
// file, choose the _id (gDNA) and the grouping of a variant's rows, save
// (register, dump, upload), then mark cgi.gene searched by default, build,
// release, and start an API that answers q=ABL1 with the tutorial's 93.
func TestBrowserPluginFromFile(t *testing.T) {
	requireBrowser(t)
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	wantDocs, wantABL1 := cgiExpectations(t, tsv)
	if wantDocs != 323 || wantABL1 != 93 {
		t.Fatalf("the TSV gives %d documents, %d with ABL1; the tutorial has 323 and 93", wantDocs, wantABL1)
	}
	s := newStack(t, true)
	app := s.startAppServer("")
	lab := serveFile(t, "cgi_biomarkers_per_variant.tsv", tsv, 0)
	fileURL := lab.URL + "/cgi_biomarkers_per_variant.tsv"
	p := newPage(t, app.URL())

	// From the Sources page to the new page; the URL, then Enter.
	p.open("/sources")
	p.click("", "link", "New plugin from a file")
	p.waitFor("the page New plugin from a file", `location.pathname === "/plugins/new" && !!__st.find("heading", "New plugin from a file", document)`, 10*time.Second)
	p.fill("", "Data file URL", fileURL)
	p.key(kb.Enter)
	table := css(`[data-testid="preview-table"]`)
	stats := css(`[data-testid="preview-stats"]`)
	p.waitFor("the preview of the inferred plugin", fmt.Sprintf(`!!%s && /documents/.test((%s).innerText)`, table, stats), time.Minute)
	if n := p.count(`table.fields tbody tr`); n != 24 {
		p.fail("the fields table has %d columns, the file 24", n)
	}
	if got := p.text(css(`tr[data-column="Gene"] [data-testid="inferred-type"]`)); got != "text" {
		p.fail("the inferred type of Gene shows %q, want text", got)
	}
	if problems := p.audit(); len(problems) > 0 {
		p.fail("accessibility problems on /plugins/new: %q", problems)
	}
	p.shot("fromurl-inferred")

	// The tutorial's choices, each re-running the preview.
	p.fill("", "Plugin name", "cgi")
	p.fill("", "Nest fields under", "cgi")
	p.fill("", "_id column", "gDNA")
	p.setChecked("", "checkbox", "Group rows with the same _id", true)
	p.waitFor(fmt.Sprintf("the preview to show %d documents", wantDocs), fmt.Sprintf(`!(%s).closest("[aria-busy=true]") && (%s).innerText.includes("documents") && __st.hasNumber((%s).innerText, %d)`, stats, stats, stats, wantDocs), time.Minute)
	if first := p.text(css(`[data-testid="preview-table"] tbody tr td`)); first != "chr9:g.133748283C>T" {
		p.fail("the first previewed _id is %q, want chr9:g.133748283C>T", first)
	}
	p.shot("fromurl-preview")

	// Save: register, dump, upload, with progress.
	p.click("", "button", "Save and upload")
	progress := css(`[data-testid="gen-progress"]`)
	p.waitFor(fmt.Sprintf("the saved source to show %d documents uploaded", wantDocs), fmt.Sprintf(`!!%s && (%s).getAttribute("data-state") === "ok" && __st.hasNumber((%s).innerText, %d)`, progress, progress, progress, wantDocs), 3*time.Minute)
	if n, err := s.eng.Src.C("cgi").Count(context.Background()); err != nil || n != int64(wantDocs) {
		t.Fatalf("the source collection holds %d documents (%v), want %d", n, err, wantDocs)
	}
	p.shot("fromurl-uploaded")

	// Searched by default: cgi.gene, on the source's Mapping tab.
	p.click("", "link", "Open the source cgi")
	p.waitFor("the source page of cgi", `location.pathname === "/sources/cgi" && !!document.querySelector('[role="tablist"]')`, 10*time.Second)
	tabs := css(`[role="tablist"]`)
	p.click(tabs, "tab", "Mapping")
	p.click("", "button", "Inspect")
	field := css(`tr[data-field="cgi.gene"]`)
	p.waitFor("the inspected field cgi.gene on the Mapping tab", field, 2*time.Minute)
	p.setChecked(field, "checkbox", "Search by default cgi.gene", true)
	p.click("", "button", "Save")
	message := css(`[data-testid="mapping-message"]`)
	p.waitFor("the mapping saved", fmt.Sprintf(`(() => { const e = %s; return !e || !__st.visible(e) || __st.norm(e.innerText) !== "edited" })()`, css(`[data-testid="mapping-edited"]`)), 10*time.Second)
	p.click("", "button", "Commit")
	p.waitFor("a commit message", fmt.Sprintf(`(() => { const e = %s; return !!e && __st.norm(e.innerText) !== "" })()`, message), 30*time.Second)
	var m struct{ Registered map[string]any }
	s.do("GET", "/source/cgi/mapping", nil, &m)
	if !copiesToAll(m.Registered) {
		t.Fatalf("after Commit, the registered mapping's cgi.gene = %v, want copy_to all", m.Registered)
	}
	p.shot("fromurl-mapping")

	// Build, release, API.
	p.navigate("Builds", "/builds")
	p.click("", "button", "New configuration")
	conf := dialog("Build configuration")
	p.present("the dialog Build configuration", conf, 10*time.Second)
	p.fill(conf, "Name", "fromurl")
	p.fill(conf, "Document type", "variant")
	p.setChecked(conf, "checkbox", "cgi", true)
	p.click(conf, "button", "Save")
	section := css(`[data-conf="fromurl"]`)
	p.present("the configuration fromurl", section, 20*time.Second)
	p.click(section, "button", "New build fromurl")
	buildRow := fmt.Sprintf(`(%s || document).querySelector("tr[data-build]")`, section)
	p.waitFor(fmt.Sprintf("a completed build with %d documents", wantDocs),
		fmt.Sprintf(`(() => { const r = %s; return !!r && /success|completed|done/i.test(r.innerText) && __st.hasNumber(r.innerText, %d) })()`, buildRow, wantDocs), 3*time.Minute)
	buildID := p.attr(buildRow, "data-build")
	if !p.clickAt(fmt.Sprintf(`(%s).querySelector('a[href$="/builds/%s"]')`, buildRow, buildID), 10*time.Second) {
		p.fail("no link to /builds/%s in the build's row", buildID)
	}
	p.waitFor("the build page", fmt.Sprintf(`location.pathname === "/builds/%s"`, buildID), 10*time.Second)
	p.click(css(`[role="tablist"]`), "tab", "Releases")
	p.click("", "button", "New release")
	rel := dialog("New release")
	p.present("the dialog New release", rel, 10*time.Second)
	p.setChecked(rel, "radio", "Full", true)
	const index = "cgi_fromurl"
	p.fill(rel, "Index name", index)
	p.click(rel, "button", "Release")
	p.present("the release "+index, fmt.Sprintf(`[...document.querySelectorAll('[data-testid="release"]')].find(e => e.innerText.includes(%s))`, js(index)), time.Minute)
	var res activities.IndexResult
	result(t, s.wait("index/"+index, 2*time.Minute), &res)
	if res.Count != int64(wantDocs) {
		t.Fatalf("release = %+v, want %d documents", res, wantDocs)
	}
	p.shot("fromurl-released")

	port := freePort(t)
	p.navigate("APIs", "/apis")
	p.click("", "button", "New API")
	api := dialog("New API")
	p.present("the dialog New API", api, 10*time.Second)
	p.fill(api, "Name", "cgi_fromurl")
	p.fill(api, "Index", index)
	p.fill(api, "Port", strconv.Itoa(port))
	p.click(api, "button", "Create")
	apiRow := css(`tr[data-api="cgi_fromurl"]`)
	status := fmt.Sprintf(`(%s || document).querySelector('[data-testid="api-status"]')`, apiRow)
	p.waitFor("the API cgi_fromurl, stopped", fmt.Sprintf(`!!%s && __st.norm((%s).innerText) === "stopped"`, apiRow, status), 20*time.Second)
	p.click(apiRow, "button", "Start cgi_fromurl")
	p.waitFor("the API cgi_fromurl running", fmt.Sprintf(`__st.norm((%s).innerText) === "running"`, status), time.Minute)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(t, base+"/status", 30*time.Second)
	var q struct {
		Total int64
		Hits  []map[string]any
	}
	if code := httpGetJSON(t, base+"/query?q=ABL1", &q); code != http.StatusOK || len(q.Hits) == 0 || q.Total != int64(wantABL1) {
		t.Fatalf("GET %s/query?q=ABL1 = %d, total %d, %d hits; want %d", base, code, q.Total, len(q.Hits), wantABL1)
	}
	t.Logf("GET %s/query?q=ABL1: total %d", base, q.Total)
	p.shot("fromurl-api-running")
	p.click(apiRow, "button", "Stop cgi_fromurl")
	p.waitFor("the API cgi_fromurl stopped", fmt.Sprintf(`__st.norm((%s).innerText) === "stopped"`, status), time.Minute)
}

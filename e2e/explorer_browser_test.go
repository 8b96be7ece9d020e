package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"studio/activities"
	"studio/internal/domain/explorer"
	"studio/internal/engine/docstore"
	"studio/internal/testsupport/testenv"
)

// TestBrowserExplorer explores the tutorial's CGI data in chromium: the
// released index through its data API (query box, facet filters, columns,
// paging, the document viewer, a curl line and a biothings_client snippet
// that give the same answer when run), a
// build collection without an index, and the field charts of the source, a
// build and two builds compared; with the keyboard and the accessibility
// audit of the other browser tests. Screenshots: explorer-*, charts-*.
func TestBrowserExplorer(t *testing.T) {
	requireBrowser(t)
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	wantDocs, wantABL1 := cgiExpectations(t, tsv)
	lab := serveLabFile(t, "cgi.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	repo := cgiPluginRepo(t, "cgi", lab.URL)
	s := newStack(t, true)
	app := s.startAppServer("")

	// The pipeline through the hub API: two builds (the lab edits its file
	// in between), both inspected with mode stats, the first released.
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	if err := s.eng.Hub.C("src_master").Update(context.Background(), "cgi", map[string]any{"mapping": cgiMapping}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "tutorial", "doc_type": "variant", "sources": []string{"cgi"}}, nil)
	oldID := s.buildSource("cgi", "tutorial", 2*time.Minute)
	inspectStats := func(provider any, id string) {
		var started struct{ ID string }
		s.do("PUT", "/inspect", map[string]any{"data_provider": provider, "mode": []string{"type", "stats", "mapping"}}, &started)
		result(t, s.wait(started.ID, 2*time.Minute), &activities.InspectResult{})
	}
	inspectStats([]string{"src", "cgi"}, "cgi")
	inspectStats(oldID, oldID)
	const index = "cgi_explore"
	var idx struct{ ID string }
	s.do("PUT", "/index", map[string]any{"build": oldID, "index": index}, &idx)
	result(t, s.wait(idx.ID, 2*time.Minute), &activities.IndexResult{})
	lab.publish(zipOf(t, "cgi_biomarkers_per_variant.tsv", editCGI(t, tsv, 3, 2, 2)), lastModified.Add(48*time.Hour))
	newID := s.buildSource("cgi", "tutorial", 2*time.Minute)
	inspectStats(newID, newID)

	p := newPage(t, app.URL())
	var problems []string
	audit := func(where string) {
		for _, pr := range p.audit() {
			problems = append(problems, where+": "+pr)
		}
	}

	// The landing page lists the index, the builds and the source.
	p.open("/")
	p.navigate("Explore", "/explorer")
	p.present("the index "+index, find(css(`[data-testid="explore-indexes"]`), "link", index), 20*time.Second)
	p.present("the build "+newID, find("", "link", "Explore build "+newID), 10*time.Second)
	p.present("the source cgi", find("", "link", "Field charts of source cgi"), 10*time.Second)
	audit("/explorer")
	p.shot("explorer-home")

	// The index, through its data API.
	p.click(css(`[data-testid="explore-indexes"]`), "link", index)
	status := css(`[data-testid="pager-status"]`)
	p.waitFor(fmt.Sprintf("the pager to count %d documents", wantDocs), hasNumberJS(status, wantDocs), 30*time.Second)
	if n := p.count(`[data-testid="results"] tbody tr`); n != 10 {
		p.fail("the first page shows %d rows, want 10", n)
	}
	p.waitFor("the facet cgi.gene with its terms", `!!document.querySelector('[data-facet="cgi.gene"] .facet-term')`, 10*time.Second)
	audit("/explorer/index")
	p.shot("explorer-index")

	// The query box takes the data API's q.
	p.fill(`document.querySelector('form[role="search"]')`, "Query", "ABL1")
	p.click(`document.querySelector('form[role="search"]')`, "button", "Search")
	p.waitFor(fmt.Sprintf("q=ABL1 to find %d documents", wantABL1), hasNumberJS(status, wantABL1), 20*time.Second)
	p.shot("explorer-query")

	// A facet value filters, with the keyboard: focus it, press Enter.
	p.eval0(`(() => { const el = document.getElementById("explorer-q"); el.focus(); el.select(); })()`)
	p.key(kb.Backspace)
	p.key(kb.Enter)
	p.waitFor("all documents again", hasNumberJS(status, wantDocs), 20*time.Second)
	term := fmt.Sprintf(`[...document.querySelectorAll('[data-facet="cgi.gene"] .facet-term')].find(b => b.innerText.startsWith("abl1"))`)
	p.waitFor("the facet value abl1", term, 10*time.Second)
	p.eval0(term + ".focus()")
	p.key(kb.Enter)
	p.waitFor("the facet filter pressed", fmt.Sprintf(`(%s).getAttribute("aria-pressed") === "true"`, term), 10*time.Second)
	p.waitFor(fmt.Sprintf("the filter cgi.gene:abl1 to keep %d documents", wantABL1), hasNumberJS(status, wantABL1), 20*time.Second)
	if q := p.text(css(`[data-testid="q-sent"]`)); q != `cgi.gene:"abl1"` {
		p.fail("the q sent is %q, want cgi.gene:\"abl1\"", q)
	}
	p.shot("explorer-facet-filter")

	// The curl line is the same request: run it (without a shell) and
	// compare the totals; the Python snippet asks the same q.
	curl := p.text(css(`[data-testid="curl"]`))
	m := regexp.MustCompile(`'(http[^']+)'`).FindStringSubmatch(curl)
	if m == nil || !strings.Contains(m[1], "/explore/index/"+index+"/v1/query?") {
		p.fail("the curl line %q does not name the index's data API", curl)
	}
	var answer struct{ Total int }
	if code := httpGetJSON(t, m[1], &answer); code != http.StatusOK || answer.Total != wantABL1 {
		p.fail("the curl line's URL answers %d with total %d, want 200 and %d", code, answer.Total, wantABL1)
	}
	py := eval[string](p, css(`[data-testid="python"]`)+".textContent")
	if !strings.Contains(py, `client.query("cgi.gene:\"abl1\""`) || !strings.Contains(py, "get_client(url=") {
		p.fail("the Python snippet does not ask the same query:\n%s", py)
	}
	// The snippet runs unchanged under biothings_client (from PyPI, in
	// the reference interpreter) when there is one.
	if python := filepath.Join(testenv.RepoRoot(t), "bin", "pyref", "bin", "python"); fileExists(python) {
		out, err := exec.Command(python, "-c", py).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), fmt.Sprintf("%d [", wantABL1)) {
			p.fail("the Python snippet printed %q (%v), want the total %d first:\n%s", out, err, wantABL1, py)
		}
		t.Logf("the Python snippet under biothings_client: %.80s", out)
	} else {
		t.Logf("no reference interpreter at %s (make pyref): the Python snippet is checked as text only", python)
	}

	// Columns: cgi.drug off and on; paging; the document viewer.
	p.click("", "button", "Remove filter cgi.gene: abl1")
	p.waitFor("all documents after removing the filter", hasNumberJS(status, wantDocs), 20*time.Second)
	p.clickAt(css(`[data-testid="columns"] summary`), 5*time.Second)
	column := `[...document.querySelectorAll('[data-testid="results"] thead th')].some(th => th.textContent.trim() === "cgi.drug")`
	p.setChecked(css(`[data-testid="columns"]`), "checkbox", "cgi.drug", false)
	p.waitFor("the column cgi.drug to go", "!"+column, 10*time.Second)
	p.setChecked(css(`[data-testid="columns"]`), "checkbox", "cgi.drug", true)
	p.waitFor("the column cgi.drug back", column, 10*time.Second)
	p.click("", "button", "Next page")
	p.waitFor("the second page", fmt.Sprintf(`(%s).innerText.startsWith("11")`, status), 10*time.Second)
	first := p.attr(css(`[data-testid="results"] tbody tr`), "data-id")
	p.click("", "button", "View "+first)
	viewer := css(`[data-testid="doc-viewer"]`)
	p.waitFor("the document viewer of "+first, fmt.Sprintf(`!!%s && (%s).innerText.includes(%s)`, viewer, viewer, js(first)), 10*time.Second)
	if n := p.count(`[data-testid="json-view"] details`); n == 0 {
		p.fail("the document viewer has no collapsible node")
	}
	if c, _ := url.PathUnescape(p.text(css(`[data-testid="doc-curl"]`))); !strings.Contains(c, "/v1/variant/"+first+"'") {
		p.fail("the document's curl line %q does not fetch /variant/%s", c, first)
	}
	audit("/explorer/index with a document")
	p.shot("explorer-document")
	p.click(viewer, "button", "Close")

	// A build collection without an index: pages and filters from the store.
	var wantFiltered int
	for d, err := range s.eng.Target.C(newID).Scan(context.Background(), docstore.ScanOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if explorer.Matches(d, map[string]any{"cgi.gene": "ABL1"}) {
			wantFiltered++
		}
	}
	newCount, err := s.eng.Target.C(newID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.open("/explorer/build/" + newID)
	p.waitFor(fmt.Sprintf("the build's %d documents", newCount), hasNumberJS(status, int(newCount)), 30*time.Second)
	p.fill(`document.querySelector('form[role="search"]')`, "Query", "cgi.gene:ABL1")
	p.key(kb.Enter)
	p.waitFor(fmt.Sprintf("cgi.gene:ABL1 to keep %d documents of the build", wantFiltered), hasNumberJS(status, wantFiltered), 30*time.Second)
	p.click("", "button", "Next page")
	p.waitFor("the build's second page", fmt.Sprintf(`(%s).innerText.startsWith("11")`, status), 10*time.Second)
	if c := p.text(css(`[data-testid="curl"]`)); !strings.Contains(c, "/explore/build/"+newID+"/docs?filter=") {
		p.fail("the build's curl line is %q", c)
	}
	audit("/explorer/build")
	p.shot("explorer-build")

	// Field charts of the source.
	p.open("/charts/source/cgi")
	p.waitFor("the coverage chart drawn", `document.querySelector('[data-testid="chart-coverage"] canvas')?.dataset.ready === "true"`, 30*time.Second)
	p.fill("", "Field", "cgi.gene")
	p.waitFor("the field cgi.gene shown", `document.querySelector('[data-testid="field-detail"]')?.dataset.field === "cgi.gene"`, 10*time.Second)
	p.waitFor("the top values chart of cgi.gene", `document.querySelector('[data-testid="chart-top"] canvas')?.dataset.ready === "true"`, 20*time.Second)
	var fields struct {
		Fields map[string]struct {
			Docs int `json:"docs"`
			Top  []struct {
				Value any
				Count int
			}
		}
	}
	s.do("GET", "/explore/fields/source/cgi", nil, &fields)
	gene := fields.Fields["cgi.gene"]
	if len(gene.Top) == 0 || gene.Docs != wantDocs {
		t.Fatalf("cgi.gene statistics = %+v, want %d documents with top values", gene, wantDocs)
	}
	p.waitFor("the number of documents with cgi.gene", hasNumberJS(css(`[data-testid="field-docs"]`), wantDocs), 10*time.Second)
	topCell := fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('[data-testid="field-detail"] [data-testid="chart-top"] tbody tr')].find(r => r.querySelector("th").textContent === %s); return !!r && r.querySelector("td").textContent.replace(/[^0-9]/g, "") === %s })()`, js(fmt.Sprint(gene.Top[0].Value)), js(fmt.Sprint(gene.Top[0].Count)))
	p.waitFor(fmt.Sprintf("the top value %v counted %d in the chart's data", gene.Top[0].Value, gene.Top[0].Count), topCell, 10*time.Second)
	audit("/charts/source")
	p.shot("charts-source")

	// A build's charts, then the two builds compared from the landing page.
	p.open("/charts/build/" + oldID)
	p.waitFor("the build's coverage chart", `document.querySelector('[data-testid="chart-coverage"] canvas')?.dataset.ready === "true"`, 30*time.Second)
	p.shot("charts-build")
	p.open("/explorer")
	form := css(`form[aria-label="Compare two builds"]`)
	p.fill(form, "Before", oldID)
	p.fill(form, "After", newID)
	p.click(form, "button", "Compare fields")
	p.waitFor("the comparison page", fmt.Sprintf(`location.pathname === %s`, js("/charts/compare/"+oldID+"/"+newID)), 10*time.Second)
	p.waitFor("the field _id among the changes (3 deleted, 2 added)", `!!document.querySelector('[data-testid="changes"] tr[data-field="_id"]')`, 30*time.Second)
	p.waitFor("the comparison chart", `document.querySelector('[data-testid="chart-compare-coverage"] canvas')?.dataset.ready === "true"`, 20*time.Second)
	var cmp struct {
		Changes []struct {
			Field  string
			Status string
			Docs   int
		}
	}
	s.do("GET", "/explore/fields/compare/"+oldID+"/"+newID, nil, &cmp)
	for _, c := range cmp.Changes {
		if c.Field == "_id" && (c.Status != "changed" || c.Docs != -1) {
			t.Fatalf("_id between the builds: %+v, want changed by -1 document (3 deleted, 2 added)", c)
		}
	}
	p.click(css(`[data-testid="changes"]`), "button", "cgi.gene")
	p.waitFor("the before and after of cgi.gene", `document.querySelector('[data-testid="compare-detail"]')?.dataset.field === "cgi.gene"`, 10*time.Second)
	audit("/charts/compare")
	p.shot("charts-compare")

	if len(problems) > 0 {
		t.Errorf("accessibility problems:\n%s", strings.Join(problems, "\n"))
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

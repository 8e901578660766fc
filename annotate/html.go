package annotate

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/kubeready/kubeready/checks"
)

// HTML writes the report as one self-contained page to share: the upgrade
// plan (a table of hops, a chart of findings per hop and severity as inline
// SVG), then per hop what to change first, the add-on order and the
// findings by file. It holds no script and loads nothing: styles are
// inline, so the file opens from disk. Every text from the scanned files
// goes through html/template's escaping.
type HTML struct {
	W io.Writer
	// Version is kubeready's version, for the footer.
	Version string
	// Links, when set, links locations to the scanned files' lines.
	Links Links
}

// Report implements Reporter.
func (h HTML) Report(_ context.Context, r *Report) error {
	p := PlanOf(r)
	if p == nil {
		p = singleHop(r)
	}
	errs, warns, infos := p.Totals()
	data := htmlData{
		Report: r, Plan: p, Version: h.Version, Chart: chartOf(p),
		Errors: errs, Warnings: warns, Infos: infos, links: h.Links,
	}
	return htmlPage.Execute(h.W, &data)
}

// singleHop is the plan of a run without a current version: one hop to the
// target from the minor below it.
func singleHop(r *Report) *Plan {
	t, err := checks.ParseVersion(r.Target)
	if err != nil || t.Minor == 0 {
		return &Plan{Target: r.Target, Hops: []PlanHop{{To: r.Target, Findings: r.Visible()}}}
	}
	rr := *r
	rr.Current = checks.Version{Major: t.Major, Minor: t.Minor - 1}.String()
	fs := make([]checks.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Hop = r.Target
		fs[i] = f
	}
	rr.Findings = fs
	return PlanOf(&rr)
}

type htmlData struct {
	Report                  *Report
	Plan                    *Plan
	Version                 string
	Chart                   template.HTML
	Errors, Warnings, Infos int
	links                   Links
}

// Files groups a hop's findings by file.
func (d *htmlData) Files(h PlanHop) [][]checks.Finding { return byFile(h.Findings) }

// Href is the address of a finding's line, or "" without Links.
func (d *htmlData) Href(f checks.Finding) string {
	if d.links == nil {
		return ""
	}
	return d.links.BlobURL(f.File, f.Line, f.EndLine)
}

// Fix is a finding's fix or advice.
func (d *htmlData) Fix(f checks.Finding) string { return FixText(f) }

// Addons names the add-ons to update in a hop.
func (d *htmlData) Addons(h PlanHop) string { return addonList(h) }

// Counts is a hop's counts in words.
func (d *htmlData) Counts(h PlanHop) string { return hopCounts(h) }

// Phase is a step's phase in words.
func (d *htmlData) Phase(s PlanStep) string { return phaseText(s.Phase) }

// IsUpdate reports whether a step is the control-plane update itself.
func (d *htmlData) IsUpdate(s PlanStep) bool { return s.Phase == checks.PhaseControlPlane }

// chart geometry
const (
	chartW, chartH         = 720, 280
	chartLeft, chartBottom = 48, 40
	chartTop               = 48
)

// chartOf draws findings per hop and severity as stacked bars, an inline
// SVG that needs no script or font download. Only numbers and version
// strings of the plan go into it, escaped all the same.
func chartOf(p *Plan) template.HTML {
	maxN := 1
	for _, h := range p.Hops {
		maxN = max(maxN, h.Errors+h.Warnings+h.Infos)
	}
	plotH := float64(chartH - chartBottom - chartTop)
	plotW := float64(chartW - chartLeft - 16)
	slot := plotW / float64(max(1, len(p.Hops)))
	barW := min(64, slot*0.6)
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">Findings per hop and severity, Kubernetes %s to %s</title>`, esc(p.Current), esc(p.Target))
	// axis and grid: four steps of the largest count
	for i := 0; i <= 4; i++ {
		v := (maxN*i + 3) / 4
		y := float64(chartH-chartBottom) - plotH*float64(v)/float64(maxN)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#555">%d</text>`,
			chartLeft, y, chartW-16, y, chartLeft-6, y+4, v)
	}
	for i, h := range p.Hops {
		x := float64(chartLeft) + slot*float64(i) + (slot-barW)/2
		y := float64(chartH - chartBottom)
		for _, part := range []struct {
			n     int
			color string
			label string
		}{{h.Errors, sevColor[checks.Error], "blockers"}, {h.Warnings, sevColor[checks.Warning], "warnings"}, {h.Infos, sevColor[checks.Info], "info"}} {
			if part.n == 0 {
				continue
			}
			hgt := plotH * float64(part.n) / float64(maxN)
			y -= hgt
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d %s</title></rect>`,
				x, y, barW, hgt, part.color, esc(h.To), part.n, part.label)
		}
		total := h.Errors + h.Warnings + h.Infos
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#222">%d</text>`, x+barW/2, y-6, total)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="#222">%s</text>`, x+barW/2, chartH-chartBottom+18, esc(h.To))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, chartLeft, chartH-chartBottom, chartW-16, chartH-chartBottom)
	lx := chartLeft
	for _, l := range []struct {
		color, text string
	}{{sevColor[checks.Error], "blockers (error)"}, {sevColor[checks.Warning], "warning"}, {sevColor[checks.Info], "info"}} {
		fmt.Fprintf(&b, `<rect x="%d" y="8" width="12" height="12" fill="%s"/><text x="%d" y="18" font-size="12" fill="#222">%s</text>`, lx, l.color, lx+16, esc(l.text))
		lx += 24 + 8*len(l.text)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped text only
}

var sevColor = map[checks.Severity]string{checks.Error: "#c62828", checks.Warning: "#ef6c00", checks.Info: "#1565c0"}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"sevclass": func(s checks.Severity) string { return s.String() },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kubeready: upgrade plan {{.Plan.Current}} → {{.Plan.Target}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#c62828;font-weight:600}.warning{color:#ef6c00;font-weight:600}.info{color:#1565c0}
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px;font-size:.92em}
.summary{font-size:1.1rem}.muted{color:#666;font-size:.9rem}ol li{margin:.2rem 0}
#chart{max-width:100%;height:auto;border:1px solid #eee;background:#fff}
</style>
</head>
<body>
<h1>kubeready: upgrade plan from Kubernetes {{.Plan.Current}} to {{.Plan.Target}}</h1>
<p class="summary">{{len .Plan.Hops}} {{if eq (len .Plan.Hops) 1}}hop{{else}}hops{{end}}: <span class="error">{{.Errors}} blockers</span>, <span class="warning">{{.Warnings}} warnings</span>, <span class="info">{{.Infos}} info</span>{{with .Report.Platform}} · platform <code>{{.}}</code>{{end}} · {{.Report.Stats.Files}} files, {{.Report.Stats.Documents}} documents scanned</p>
{{with .Report.Errors}}<h2>Errors that stopped part of the run</h2><ul>{{range .}}<li>{{with .File}}<code>{{.}}</code>{{end}}{{if .Line}}:{{.Line}}{{end}} {{.Message}}</li>{{end}}</ul>{{end}}
<h2>Plan</h2>
<table id="plan">
<thead><tr><th>Hop</th><th>Blockers</th><th>Warnings</th><th>Info</th><th>Add-ons to update</th></tr></thead>
<tbody>
{{range .Plan.Hops}}<tr><td><a href="#hop-{{.To}}">{{.From}} → {{.To}}</a></td><td class="n error">{{.Errors}}</td><td class="n warning">{{.Warnings}}</td><td class="n info">{{.Infos}}</td><td>{{$.Addons .}}</td></tr>
{{end}}</tbody>
</table>
{{.Chart}}
{{range .Plan.Hops}}
<h2 id="hop-{{.To}}">Hop {{.From}} → {{.To}}: {{$.Counts .}}</h2>
{{with .First}}<h3>Change first (blocks the update to {{(index . 0).Hop}})</h3>
<ol>{{range .}}<li><code>{{.File}}:{{.Line}}</code> <code>{{.Rule}}</code>: {{.Message}}</li>{{end}}</ol>{{end}}
{{with .Steps}}<h3>Add-on order (EKS)</h3>
<ol>{{range .}}<li><strong>{{.Title}}</strong> ({{$.Phase .}}): {{.Do}}{{range .Findings}} <code>{{.File}}:{{.Line}}</code>{{end}}</li>{{end}}</ol>{{end}}
{{range $.Files .}}<h3><code>{{(index . 0).File}}</code></h3>
<table class="findings"><thead><tr><th>Line</th><th>Severity</th><th>Rule</th><th>Finding</th><th>Fix</th></tr></thead><tbody>
{{range .}}<tr><td class="n">{{with $.Href .}}<a href="{{.}}">{{end}}{{.Line}}{{if $.Href .}}</a>{{end}}</td><td class="{{sevclass .Severity}}">{{.Severity}}</td><td>{{if .URL}}<a href="{{.URL}}"><code>{{.Rule}}</code></a>{{else}}<code>{{.Rule}}</code>{{end}}</td><td>{{.Message}}</td><td>{{$.Fix .}}</td></tr>
{{end}}</tbody></table>
{{end}}{{end}}
<p class="muted">kubeready {{.Version}} · target {{.Report.Target}}{{with .Report.Current}} · current {{.}}{{end}}</p>
</body>
</html>
`))

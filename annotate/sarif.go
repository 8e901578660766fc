package annotate

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// SARIF writes the report as a SARIF 2.1.0 log for code scanning
// (github/codeql-action/upload-sarif): every registered rule with its help
// text and source URL, each finding as a result with a region,
// partialFingerprints and its fixes, suppressed findings with a
// `suppressions` entry, and run errors as tool notifications.
//
// The structs are written here rather than taken from go-sarif: its v2
// Suppression marshals unset optional fields as null (status, guid,
// location, justification), which the 2.1.0 schema rejects.
type SARIF struct {
	W io.Writer
	// Version is kubeready's version.
	Version string
	// Root is the absolute directory finding paths are relative to (the
	// repository root); empty leaves %SRCROOT% undefined.
	Root string
}

// SARIFSchema is the $schema a SARIF log names.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// fingerprintKey names kubeready's partial fingerprint.
const fingerprintKey = "kubereadyFinding/v1"

const srcRoot = "%SRCROOT%"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags            []string `json:"tags"`
	Precision       string   `json:"precision"`
	ProblemSeverity string   `json:"problem.severity"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          *sarifResultProps  `json:"properties,omitempty"`
}

type sarifResultProps struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	// Hop is the first control-plane version of the upgrade plan the
	// finding blocks (checks.Finding.Hop).
	Hop string `json:"hop,omitempty"`
	// ValuesSet names the chart values sets whose render gave the result
	// (rendered.values in JSON), when not all of them did.
	ValuesSet string `json:"valuesSet,omitempty"`
	// Rendered is where the object was rendered from: the chart and its
	// template, or the kustomization (rendered in JSON).
	Rendered *sarifRendered `json:"rendered,omitempty"`
}

// sarifRendered is a finding's rendered origin.
type sarifRendered struct {
	Chart         string `json:"chart,omitempty"`
	Template      string `json:"template,omitempty"`
	Kustomization string `json:"kustomization,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine,omitempty"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	// ByteOffset and ByteLength describe a fix's deleted bytes; a zero
	// length (an insertion) must still be written.
	ByteOffset *int `json:"byteOffset,omitempty"`
	ByteLength *int `json:"byteLength,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	Properties      *sarifFixProps        `json:"properties,omitempty"`
}

type sarifFixProps struct {
	Safe   bool   `json:"safe"`
	Reason string `json:"reason,omitempty"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion     `json:"deletedRegion"`
	InsertedContent *sarifInsertion `json:"insertedContent,omitempty"`
}

type sarifInsertion struct {
	Text string `json:"text"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// Report implements Reporter.
func (s SARIF) Report(_ context.Context, r *Report) error {
	rules := checks.Rules()
	index := map[string]int{}
	run := sarifRun{ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	run.Tool.Driver = sarifDriver{Name: "kubeready", InformationURI: "https://github.com/kubeready/kubeready"}
	run.Tool.Driver.Version, run.Tool.Driver.SemanticVersion = toolVersion(s.Version)
	for _, rule := range rules {
		index[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(rule))
	}
	if s.Root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: dirURI(s.Root)}}
	}
	fps := Fingerprints(r.Findings)
	for i, f := range r.Findings {
		idx, ok := index[f.Rule]
		if !ok {
			// A rule the registry does not know (it should not happen):
			// describe it from the finding so the log stays valid.
			idx = len(run.Tool.Driver.Rules)
			index[f.Rule] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(&checks.Rule{ID: f.Rule, Title: f.Rule, Severity: f.Severity, Rationale: f.Message, Source: f.URL}))
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: idx, Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: sentence(f.Message)},
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(f.File), Region: region(f)}}},
			PartialFingerprints: map[string]string{fingerprintKey: fps[i]},
		}
		if f.APIVersion != "" || f.Kind != "" || f.Hop != "" || f.Rendered != nil {
			res.Properties = &sarifResultProps{APIVersion: f.APIVersion, Kind: f.Kind, Name: f.Name, Namespace: f.Namespace, Hop: f.Hop}
			if r := f.Rendered; r != nil {
				res.Properties.ValuesSet = r.Values
				if r.Chart != "" || r.Template != "" || r.Kustomization != "" {
					res.Properties.Rendered = &sarifRendered{Chart: r.Chart, Template: r.Template, Kustomization: r.Kustomization}
				}
			}
		}
		for _, fx := range f.Fixes {
			res.Fixes = append(res.Fixes, sarifFixOf(f.File, fx))
		}
		if f.Suppressed {
			// Suppression is a `# kubeready:ignore` comment in the file.
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Status: "accepted", Justification: f.Justification}}
		}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{Text: sentence(e.Message)}}
		if e.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(e.File)}}
			if e.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: e.Line}
			}
			n.Locations = []sarifLocation{loc}
		}
		inv.Notifications = append(inv.Notifications, n)
	}
	run.Invocations = []sarifInvocation{inv}

	enc := json.NewEncoder(s.W)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// toolVersion splits kubeready's version into SARIF's numeric version and
// its semantic version: v0.3.0-rc.1 gives 0.3.0 and 0.3.0-rc.1; a build
// without a release version (dev) gives 0.0.0 and 0.0.0-dev.
func toolVersion(v string) (numeric, semantic string) {
	v = strings.TrimPrefix(v, "v")
	end := 0
	for end < len(v) && (v[end] == '.' || (v[end] >= '0' && v[end] <= '9')) {
		end++
	}
	numeric = strings.Trim(v[:end], ".")
	if numeric == "" {
		if pre := strings.Trim(v, "-+."); pre != "" {
			return "0.0.0", "0.0.0-" + pre
		}
		return "0.0.0", ""
	}
	return numeric, v
}

// maxDescription is GitHub's limit on a rule's descriptions.
const maxDescription = 1024

func sarifRuleOf(r *checks.Rule) sarifRule {
	full := r.Rationale
	if full == "" {
		full = r.Title
	}
	help := sentence(full)
	md := sentence(full)
	if r.Fix != "" {
		help += "\n\nFix: " + r.Fix
		md += "\n\n**Fix:** " + r.Fix
	}
	if r.Example != "" {
		md += "\n\nExample that triggers it:\n\n```yaml\n" + strings.TrimRight(r.Example, "\n") + "\n```"
	}
	if r.Source != "" {
		help += "\n\nSource: " + r.Source
		md += "\n\nSource: <" + r.Source + ">"
	}
	tags := []string{"kubernetes", "upgrade"}
	if r.Platform != "" {
		tags = append(tags, r.Platform)
	}
	return sarifRule{
		ID: r.ID, Name: ruleName(r.ID),
		ShortDescription:     sarifText{Text: clip(sentence(r.Title), maxDescription)},
		FullDescription:      sarifText{Text: clip(sentence(full), maxDescription)},
		Help:                 sarifText{Text: help, Markdown: md},
		HelpURI:              r.Source,
		DefaultConfiguration: sarifRuleConf{Level: sarifLevel(r.Severity)},
		Properties:           sarifRuleProps{Tags: tags, Precision: "very-high", ProblemSeverity: problemSeverity(r.Severity)},
	}
}

func sarifFixOf(file string, fx checks.Fix) sarifFix {
	out := sarifFix{Description: sarifText{Text: sentence(fx.Description)}}
	if !fx.Safe {
		out.Properties = &sarifFixProps{Safe: false, Reason: fx.Reason}
	} else {
		out.Properties = &sarifFixProps{Safe: true}
	}
	byPath := map[string]int{}
	for _, e := range fx.Edits {
		p := e.Path
		if p == "" {
			p = file
		}
		i, ok := byPath[p]
		if !ok {
			i = len(out.ArtifactChanges)
			byPath[p] = i
			out.ArtifactChanges = append(out.ArtifactChanges, sarifArtifactChange{ArtifactLocation: artifact(p)})
		}
		off, n := e.Start, e.End-e.Start
		rep := sarifReplacement{DeletedRegion: sarifRegion{ByteOffset: &off, ByteLength: &n}}
		if e.New != "" {
			rep.InsertedContent = &sarifInsertion{Text: e.New}
		}
		out.ArtifactChanges[i].Replacements = append(out.ArtifactChanges[i].Replacements, rep)
	}
	return out
}

func region(f checks.Finding) *sarifRegion {
	if f.Line <= 0 {
		return nil
	}
	r := &sarifRegion{StartLine: f.Line, StartColumn: max(f.Column, 1)}
	if f.EndLine > f.Line {
		r.EndLine = f.EndLine
	}
	return r
}

// artifact names a file: relative paths against %SRCROOT%, absolute ones as
// file URIs, standard input by its name.
func artifact(p string) sarifArtifactLocation {
	if p == scan.StdinPath {
		return sarifArtifactLocation{URI: url.PathEscape(p)}
	}
	if filepath.IsAbs(p) {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(filepath.Clean(p))}).EscapedPath(), URIBaseID: srcRoot}
}

func dirURI(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "note"
}

func problemSeverity(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "recommendation"
}

// ruleName turns a rule ID into the PascalCase name SARIF viewers show:
// api-removed → ApiRemoved.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// sentence ends text with a period, as SARIF messages should.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n-3], "") + "..."
}

package checks

import (
	"strings"
	"testing"
)

// checkSource fails when a table row has no https source URL.
func checkSource(t *testing.T, table, row, src string) {
	t.Helper()
	if !strings.HasPrefix(src, "https://") {
		t.Errorf("%s row %s: source %q is not an https URL", table, row, src)
	}
}

// checkVersion fails when a version string does not parse.
func checkVersion(t *testing.T, table, row, v string) Version {
	t.Helper()
	ver, err := ParseVersion(v)
	if err != nil {
		t.Errorf("%s row %s: %v", table, row, err)
	}
	return ver
}

func TestTablesHaveSourcesAndOrderedVersions(t *testing.T) {
	d := loadTables()
	if len(d.Volumes) == 0 || len(d.Addons) == 0 || len(d.NodeLabels) == 0 || len(d.Registries) == 0 || len(d.Retired) == 0 || len(d.PodAnnotations) == 0 {
		t.Fatal("a table is empty")
	}
	if len(d.KubeletFlags) == 0 {
		t.Fatal("nodeflags.yaml is empty")
	}
	for _, f := range d.KubeletFlags {
		checkSource(t, "nodeflags", f.Flag, f.Source)
		checkVersion(t, "nodeflags", f.Flag, f.Removed)
		if !strings.HasPrefix(f.Flag, "--") || f.Why == "" {
			t.Errorf("nodeflags row %q: needs a --flag and why", f.Flag)
		}
	}
	seen := map[string]bool{}
	for _, v := range d.Volumes {
		checkSource(t, "volumes", v.Field, v.Source)
		if v.Field == "" || seen[v.Field] || (v.Provisioner != "" && seen[v.Provisioner]) {
			t.Errorf("volumes row %q: empty or duplicate field/provisioner", v.Field)
		}
		seen[v.Field], seen[v.Provisioner] = true, v.Provisioner != ""
		removed := checkVersion(t, "volumes", v.Field, v.Removed)
		if v.Deprecated != "" && !checkVersion(t, "volumes", v.Field, v.Deprecated).Less(removed) {
			t.Errorf("volumes row %s: deprecated %s is not before removed %s", v.Field, v.Deprecated, v.Removed)
		}
		if v.EKS != "" && Lookup(v.EKS) == nil {
			t.Errorf("volumes row %s: eks rule %q is not registered", v.Field, v.EKS)
		}
	}
	last := map[string]Version{}
	lastMin := map[string]Release{}
	for _, a := range d.Addons {
		row := a.Component + "@" + a.From
		checkSource(t, "addons", row, a.Source)
		from := checkVersion(t, "addons", row, a.From)
		if prev, ok := last[a.Component+a.Check]; ok && from.Less(prev) {
			t.Errorf("addons row %s: rows of a component must be ordered oldest from first", row)
		}
		last[a.Component+a.Check] = from
		if len(a.Repositories) == 0 || a.Why == "" {
			t.Errorf("addons row %s: needs images and why", row)
		}
		switch a.Check {
		case "minimum":
			m, ok := ParseRelease(a.Minimum)
			if !ok {
				t.Errorf("addons row %s: minimum %q does not parse", row, a.Minimum)
			}
			if prev, ok := lastMin[a.Component]; ok && m.Less(prev) {
				t.Errorf("addons row %s: minimum %s goes down from %s", row, m, prev)
			}
			lastMin[a.Component] = m
		case "skew":
			if a.Older < 1 {
				t.Errorf("addons row %s: skew needs older >= 1", row)
			}
		case "same-minor":
		default:
			t.Errorf("addons row %s: unknown check %q", row, a.Check)
		}
	}
	for _, l := range d.NodeLabels {
		checkSource(t, "nodelabels", l.Beta, l.Source)
		checkVersion(t, "nodelabels", l.Beta, l.Deprecated)
		if l.GA == "" || l.GA == l.Beta {
			t.Errorf("nodelabels row %s: bad GA label %q", l.Beta, l.GA)
		}
	}
	for _, r := range d.Registries {
		checkSource(t, "registries", r.Host, r.Source)
		if r.Replacement == "" || r.Frozen == "" {
			t.Errorf("registries row %s: needs replacement and frozen date", r.Host)
		}
	}
	for _, r := range d.Retired {
		checkSource(t, "retired", r.Repository, r.Source)
	}
	for _, a := range d.PodAnnotations {
		checkSource(t, "annotations", a.Key, a.Source)
		checkVersion(t, "annotations", a.Key, a.Since)
	}
}

// TestTablesMatchFacts pins the table rows the issue names, so an edit that
// drifts from shared/reference/upgrade-facts.yaml fails here.
func TestTablesMatchFacts(t *testing.T) {
	removed := map[string]string{"flocker": "1.25", "quobyte": "1.25", "storageos": "1.25", "scaleIO": "1.22", "glusterfs": "1.26", "cephfs": "1.31", "rbd": "1.31", "portworxVolume": "1.36", "awsElasticBlockStore": "1.27"}
	for field, want := range removed {
		if p := Data.VolumeByField(field); p == nil || p.Removed != want {
			t.Errorf("%s: removed %v, want %s", field, p, want)
		}
	}
	if p := Data.VolumeByProvisioner("kubernetes.io/aws-ebs"); p == nil || p.CSI != "ebs.csi.aws.com" || p.EKS != "eks-ebs-csi" {
		t.Errorf("aws-ebs row: %+v", p)
	}
	if p := Data.VolumeByField("glusterfs"); p.Deprecated != "1.25" || p.CSI != "" {
		t.Errorf("glusterfs row: %+v", p)
	}
}

func TestRulesMetadata(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		if r.ID == "" || ids[r.ID] {
			t.Errorf("rule %q: empty or duplicate ID", r.ID)
		}
		ids[r.ID] = true
		if r.Title == "" || r.Rationale == "" || r.Fix == "" || !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("rule %s: needs title, rationale, fix and an https source", r.ID)
		}
		engineReported := r == InvalidYAML || r == InternalError || r == FileTooLarge || r == LimitExceeded || r == FileUnreadable ||
			r == HelmDependencyMissing || r == HelmRenderError || r == HelmReleaseManifest || r == HelmGatedAPI || r == HelmRemoteChart || r == KustomizeBuildError || r == KustomizeRemoteResource
		if r.Check == nil && r.CheckSet == nil && !engineReported {
			t.Errorf("rule %s: no Check", r.ID)
		}
		if r.Check != nil && r.CheckSet != nil {
			t.Errorf("rule %s: both Check and CheckSet", r.ID)
		}
		if r.CheckSet != nil && len(r.Kinds) == 0 {
			t.Errorf("rule %s: a set rule must list its Kinds", r.ID)
		}
		if r.Since != "" {
			checkVersion(t, "rules", r.ID, r.Since)
		}
		if r.Platform != "" && r.Platform != PlatformEKS {
			t.Errorf("rule %s: unknown platform %q", r.ID, r.Platform)
		}
		if strings.HasPrefix(r.ID, "eks-") != (r.Platform == PlatformEKS) {
			t.Errorf("rule %s: eks-* rules and only they are Platform eks", r.ID)
		}
		if r.Check != nil && r != apiRemoved && r != apiDeprecated && r.Example == "" {
			t.Errorf("rule %s: no example", r.ID)
		}
		// Severity is the severity at the default target, or where the rule starts.
		if r.SeverityAt != nil {
			at := MustVersion("1.25")
			if _, ok := r.At(at); !ok {
				at = MustVersion(r.Since)
			}
			if sev, _ := r.At(at); sev != r.Severity {
				t.Errorf("rule %s: Severity %v, but %v at %s", r.ID, r.Severity, sev, at)
			}
		}
		// Since is where the rule starts to apply.
		if r.Since != "" && r.SeverityAt != nil {
			since := MustVersion(r.Since)
			if _, ok := r.At(since); !ok {
				t.Errorf("rule %s: does not apply at its Since %s", r.ID, r.Since)
			}
			if since.Minor > 0 {
				if _, ok := r.At(Version{since.Major, since.Minor - 1}); ok && r.Since != always {
					t.Errorf("rule %s: applies before its Since %s", r.ID, r.Since)
				}
			}
		}
	}
}

func TestSeverityAt(t *testing.T) {
	cases := []struct {
		rule   *Rule
		target string
		want   Severity
		ok     bool
	}{
		{seccompAnnotation, "1.24", Warning, false},
		{seccompAnnotation, "1.25", Warning, true},
		{seccompAnnotation, "1.26", Warning, true},
		{seccompAnnotation, "1.27", Error, true},
		{seccompAnnotation, "1.36", Error, true},
		{gitRepoVolume, "1.25", Warning, true},
		{gitRepoVolume, "1.33", Error, true},
		{eksAL2AMI, "1.31", Error, false},
		{eksAL2AMI, "1.32", Warning, true},
		{eksAL2AMI, "1.33", Error, true},
		{dockershimSocket, "1.23", Error, false},
		{dockershimSocket, "1.24", Error, true},
		{eksAWSAuthQuoting, "1.24", Error, false},
		{eksAWSAuthQuoting, "1.25", Error, true},
		{pspRBAC, "1.25", Warning, true},
		{psaLabels, "1.25", Error, true},
		{drainNoPDB, "1.25", Info, true},
		{strictIPCIDR, "1.35", Error, false},
	}
	for _, c := range cases {
		sev, ok := c.rule.At(MustVersion(c.target))
		if ok != c.ok || (ok && sev != c.want) {
			t.Errorf("%s at %s = %v, %v; want %v, %v", c.rule.ID, c.target, sev, ok, c.want, c.ok)
		}
	}
	if (&Rule{Platform: PlatformEKS}).Enabled(Env{Target: MustVersion("1.25"), Platform: PlatformGeneric}) {
		t.Error("an eks rule runs on the generic platform")
	}
}

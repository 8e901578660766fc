package checks

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Helm's storage drivers keep each release revision in a Secret of type
// helm.sh/release.v1 (the default driver) or a ConfigMap labelled
// owner=helm, under the data key "release": base64(gzip(JSON release)),
// which a Secret's data field base64-encodes once more.
const (
	helmReleaseSecretType = "helm.sh/release.v1"
	// StoredReleaseBudget caps what one stored release decompresses to. A
	// Secret holds at most 1 MiB; real releases (chart templates included)
	// decompress to a few MiB. Past the budget the release is reported as
	// not checked instead of being read.
	StoredReleaseBudget = 32 << 20
	// storedReleaseListed is how many objects one finding names.
	storedReleaseListed = 5
)

// storedRelease is the part of Helm's release record (helm.sh/helm/v4
// pkg/release/v1.Release) that the rule reads; the chart, its values and
// the hooks are skipped by the JSON decoder unread.
type storedRelease struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Version   int    `json:"version"`
	Manifest  string `json:"manifest"`
	Info      *struct {
		Status string `json:"status"`
	} `json:"info"`
	Chart *struct {
		Metadata *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"metadata"`
	} `json:"chart"`
}

var helmStoredRelease = &Rule{
	ID: "helm-stored-release", Title: "Stored Helm release manifest holds an API the target no longer serves", Severity: Error,
	Rationale: "Helm keeps the manifest of every release revision in the cluster (a Secret of type helm.sh/release.v1, or a ConfigMap with the ConfigMap driver). " +
		"`helm upgrade` builds the objects of the deployed revision's stored manifest first; when that manifest names an API the upgraded control plane no longer serves, " +
		"every `helm upgrade` and `helm rollback` of the release fails (\"unable to build kubernetes objects from current release manifest\"), even when the chart itself has been fixed. " +
		"kubeready reads these objects offline from a dump (`kubectl get secrets -A -l owner=helm -o yaml > releases.yaml`, or `kubectl get configmaps -A -l owner=helm -o yaml` " +
		"for the ConfigMap driver): it decodes each release (base64, gzip, JSON, as Helm stores it; at most 32 MiB decompressed per release, past which the release is reported as not checked) " +
		"and checks the deployed (or pending) revision's manifest. Superseded, failed and uninstalled revisions are not read. Messages name the release, its namespace, revision and chart, " +
		"and the objects' kind, apiVersion and name; never a value the release stores.",
	Fix: "Rewrite the stored manifest with the helm-mapkubeapis plugin (`helm mapkubeapis RELEASE --namespace NAMESPACE`), before or right after the control plane upgrade, " +
		"then upgrade the release with a chart version that no longer renders the removed API.",
	Example: "apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\nmetadata:\n  name: sh.helm.release.v1.web.v3\n  labels: {owner: helm, status: deployed}\ndata:\n  release: SDRzSUFBQUFBQUFBLy4uLg==\n",
	Source:  "https://helm.sh/docs/topics/kubernetes_apis/",
	Kinds:   []string{"Secret", "ConfigMap"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, err := d.Node()
		if err != nil || root == nil {
			return nil
		}
		root = scan.MappingOrNil(scan.Deref(root))
		if root == nil {
			return nil
		}
		key, val := scan.MapEntry(scan.MapGet(root, "data"), "release")
		data := scan.StringValue(val)
		if key == nil || data == "" {
			return nil
		}
		secret := d.Sig.Kind == "Secret"
		if secret && scan.StringValue(scan.MapGet(root, "type")) != helmReleaseSecretType {
			return nil
		}
		if !secret && scan.StringValue(scan.MapPath(root, "metadata", "labels", "owner")) != "helm" {
			return nil
		}
		// The storage object's status label says which revisions are not
		// read, so superseded ones are not even decoded.
		if l := scan.StringValue(scan.MapPath(root, "metadata", "labels", "status")); l != "" && !readStatus(l) {
			return nil
		}
		pos := d.Sig.NamePos
		if pos.IsZero() {
			pos = scan.PosOf(key)
		}
		rel, err := decodeStoredRelease(data, secret)
		if err != nil {
			f := r.Finding(d, env, pos, fmt.Sprintf("Helm release record %s could not be decoded (%s), so its stored manifest was not checked.", recordName(d), err))
			f.Severity = Warning
			return []Finding{f}
		}
		status := releaseStatus(rel, root)
		if status != "" && !readStatus(status) {
			return nil
		}
		removed := removedIn(rel.Manifest, env.Target)
		if len(removed) == 0 {
			return nil
		}
		f := r.Finding(d, env, pos, storedReleaseMessage(rel, status, removed, env.Target))
		f.ObjectLevel = true
		return []Finding{f}
	},
}

// recordName names the Secret or ConfigMap that holds a release revision.
func recordName(d *scan.Document) string {
	if d.Sig.Namespace != "" {
		return d.Sig.Namespace + "/" + d.Sig.Name
	}
	return d.Sig.Name
}

// releaseStatus is the revision's status: the record's own, else the
// storage object's status label.
func releaseStatus(rel *storedRelease, root *yaml.Node) string {
	if rel.Info != nil && rel.Info.Status != "" {
		return rel.Info.Status
	}
	return scan.StringValue(scan.MapPath(root, "metadata", "labels", "status"))
}

// readStatus reports whether a revision of this status is checked: the
// deployed one (what `helm upgrade` builds first) and one still pending.
func readStatus(s string) bool { return s == "deployed" || strings.HasPrefix(s, "pending") }

// errBudget is the decode error of a release past StoredReleaseBudget.
var errBudget = fmt.Errorf("it decompresses to more than the %d MiB budget", StoredReleaseBudget>>20)

// decodeStoredRelease undoes Helm's storage encoding: the Secret's own
// base64 (secret only), Helm's base64, gzip (when the gzip magic is there;
// Helm writes it always and reads records without it too), JSON.
func decodeStoredRelease(data string, secret bool) (*storedRelease, error) {
	b := []byte(strings.TrimSpace(data))
	if secret {
		var err error
		if b, err = base64Decode(b); err != nil {
			return nil, fmt.Errorf("the Secret's data is not base64")
		}
	}
	b, err := base64Decode(b)
	if err != nil {
		return nil, fmt.Errorf("the record is not base64")
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b, 0x08}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("the record is not gzip")
		}
		out, err := io.ReadAll(io.LimitReader(zr, StoredReleaseBudget+1))
		if err != nil {
			return nil, fmt.Errorf("the record's gzip stream is damaged or truncated")
		}
		if len(out) > StoredReleaseBudget {
			return nil, errBudget
		}
		b = out
	}
	var rel storedRelease
	if err := json.Unmarshal(b, &rel); err != nil {
		return nil, fmt.Errorf("the record is not a Helm release (JSON)")
	}
	return &rel, nil
}

// base64Decode reads standard base64, with or without padding and line
// breaks (kubectl writes none; hand-made dumps may wrap).
func base64Decode(b []byte) ([]byte, error) {
	b = bytes.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, b)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(out, b)
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(out, bytes.TrimRight(b, "="))
	}
	return out[:n], err
}

// storedObject is one object of a stored manifest that the target does not serve.
type storedObject struct {
	sig     scan.Signature
	removed string
}

// removedIn lists the objects of a release manifest whose API target no
// longer serves, in manifest order.
func removedIn(manifest string, target Version) []storedObject {
	if manifest == "" {
		return nil
	}
	docs, _ := scan.Parse(scan.NewFile("manifest", []byte(manifest)))
	var out []storedObject
	for _, d := range docs {
		if !d.Sig.IsObject() {
			continue
		}
		r := APIs.Find(d.Sig.APIVersion, d.Sig.Kind)
		if r == nil || target.Less(MustVersion(r.Removed)) {
			continue
		}
		out = append(out, storedObject{sig: d.Sig, removed: r.Removed})
	}
	return out
}

func storedReleaseMessage(rel *storedRelease, status string, objs []storedObject, target Version) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Helm release %s (namespace %s, revision %d", orUnknown(rel.Name), orUnknown(rel.Namespace), rel.Version)
	if rel.Chart != nil && rel.Chart.Metadata != nil && rel.Chart.Metadata.Name != "" {
		fmt.Fprintf(&b, ", chart %s-%s", rel.Chart.Metadata.Name, rel.Chart.Metadata.Version)
	}
	if status != "" {
		fmt.Fprintf(&b, ", %s", status)
	}
	b.WriteString(") stores ")
	for i, o := range objs {
		if i == storedReleaseListed {
			fmt.Fprintf(&b, " and %d more", len(objs)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", o.sig.Kind, o.sig.APIVersion)
		if o.sig.Name != "" {
			fmt.Fprintf(&b, " %q", o.sig.Name)
		}
		fmt.Fprintf(&b, " (removed in %s)", o.removed)
	}
	fmt.Fprintf(&b, ", which Kubernetes %s no longer serves: after the control plane upgrade `helm upgrade` and `helm rollback` of this release fail "+
		"until the stored manifest is mapped: run `helm mapkubeapis %s --namespace %s` before or right after the upgrade.",
		target, orUnknown(rel.Name), orUnknown(rel.Namespace))
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return s
}

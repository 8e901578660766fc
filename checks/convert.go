package checks

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

// A converter moves one document to c.To with the field changes that API
// version needs, by calling the edit methods of conv. It calls c.fail when
// it cannot convert the document exactly (then no fix is offered), c.risk
// when the result may behave differently (the fix is offered as unsafe),
// and c.note to describe what it changed. The apiVersion itself is already
// changed when it runs.
type converter func(c *conv)

// conv is one conversion of one document in progress: a yamledit.Editor on
// the document, and what the converter knows and says about it.
type conv struct {
	*yamledit.Editor
	d    *scan.Document
	root *yaml.Node

	// From and To are the old and new apiVersion; Kind is the object kind.
	From, To, Kind string
	Target         Version
	// alt asks the converter for its alternative fix (see hasAlt).
	alt    bool
	hasAlt bool
	notes  []string // what the conversion did, for the description
	unsafe []string // why the result may behave differently
}

func newConv(d *scan.Document, root *yaml.Node) *conv {
	return &conv{Editor: yamledit.New(d, root), d: d, root: root}
}

// note adds a phrase to the fix description.
func (c *conv) note(format string, a ...any) { c.notes = append(c.notes, fmt.Sprintf(format, a...)) }

// risk marks the fix unsafe, with the reason.
func (c *conv) risk(format string, a ...any) { c.unsafe = append(c.unsafe, fmt.Sprintf(format, a...)) }

// converters are named by the `convert` column of data/apis.yaml; a test
// checks that every name used there exists.
var converters = map[string]converter{
	"swap":          func(*conv) {},
	"workload":      convertWorkload,
	"ingress":       convertIngress,
	"hpa-v2beta1":   convertHPAv2beta1,
	"pdb":           convertPDB,
	"endpointslice": convertEndpointSlice,
	"event":         convertEvent,
	"flowcontrol":   convertFlowControl,
	"webhook":       convertWebhook,
	"sar":           convertSubjectAccessReview,
}

// fixesFor returns the fixes for a document whose apiVersion r removes or
// deprecates: a conversion to the replacement the target serves, if the
// removal table names a converter and the conversion is exact. The first
// fix is the one to apply; a converter may offer an alternative after it.
func fixesFor(d *scan.Document, env Env, r *Removal) []Fix {
	conv := converters[r.Convert]
	if conv == nil || env.NoFixes {
		return nil
	}
	rep, ok := r.Replacement(env.Target)
	if !ok || rep.Since != "" && env.Target.Less(MustVersion(rep.Since)) || !APIs.Served(rep.APIVersion, d.Sig.Kind, env.Target) {
		return nil
	}
	root, err := d.Node()
	if err != nil || root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	if r.Convert != "swap" && scan.HasAnchors(root) {
		return nil
	}
	convert := func(d *scan.Document, root *yaml.Node) []Fix { return convertDocument(d, root, env, r, rep, conv) }
	if isJSONDocument(d, root) && r.Convert != "swap" {
		return jsonFixes(d, root, convert) // convert_json.go
	}
	return convert(d, root)
}

// convertDocument runs converter conv on document d (root its mapping),
// for its fix and the converter's alternative.
func convertDocument(d *scan.Document, root *yaml.Node, env Env, r *Removal, rep Replacement, conv converter) []Fix {
	var fixes []Fix
	for _, alt := range []bool{false, true} {
		c := newConv(d, root)
		c.From, c.To, c.Kind, c.Target, c.alt = d.Sig.APIVersion, rep.APIVersion, d.Sig.Kind, env.Target, alt
		c.SetValue(scan.MapGet(root, "apiVersion"), rep.APIVersion)
		conv(c)
		if c.Err() != nil {
			return fixes
		}
		if err := c.Verify(); err != nil {
			return fixes
		}
		fixes = append(fixes, c.fix())
		if !c.hasAlt {
			break
		}
	}
	return fixes
}

// fix turns a finished conversion into a Fix: region edits trimmed to the
// lines they change, in file order.
func (c *conv) fix() Fix {
	f := Fix{Safe: len(c.unsafe) == 0, Reason: strings.Join(c.unsafe, "; ")}
	if len(c.notes) == 0 {
		f.Description = fmt.Sprintf("Change apiVersion to %s", c.To)
	} else {
		f.Description = fmt.Sprintf("Convert to %s: %s", c.To, strings.Join(c.notes, "; "))
	}
	for _, e := range c.Edits() {
		if e.End-e.Start > 0 && len(e.New) > 0 {
			e = yamledit.TrimEdit(c.d.File.Data, e)
		}
		f.Edits = append(f.Edits, e)
	}
	// by position; insertions at one offset keep the order they were made in
	slices.SortStableFunc(f.Edits, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	return f
}

// block returns the block mapping at key of m, or nil when the key is
// absent or null; any other value fails the conversion.
func (c *conv) block(m *yaml.Node, key string) *yaml.Node {
	v := scan.MapGet(m, key)
	if v == nil || scan.IsNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		c.Fail("line %d: %s is not a mapping", v.Line, key)
		return nil
	}
	return v
}

// valueAt is the scalar value at key of m, or "" (absent or null).
func valueAt(m *yaml.Node, key string) string {
	v := scan.MapGet(m, key)
	if v == nil || v.Kind != yaml.ScalarNode || scan.IsNull(v) {
		return ""
	}
	return v.Value
}

// has reports whether key is set (not null) in m.
func has(m *yaml.Node, key string) bool {
	v := scan.MapGet(m, key)
	return v != nil && !scan.IsNull(v)
}

// seqItems returns the mappings of the sequence at key of m.
func (c *conv) seqItems(m *yaml.Node, key string) []*yaml.Node {
	v := scan.MapGet(m, key)
	if v == nil || scan.IsNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		c.Fail("line %d: %s is not a list", v.Line, key)
		return nil
	}
	var out []*yaml.Node
	for _, it := range v.Content {
		if it.Kind != yaml.MappingNode {
			c.Fail("line %d: item of %s is not a mapping", it.Line, key)
			return nil
		}
		out = append(out, it)
	}
	return out
}

// scalarCopies returns the entries of mapping m (block or flow) as new
// scalar entries, keys and values written as they were.
func (c *conv) scalarCopies(m *yaml.Node) []yamledit.Item {
	var out []yamledit.Item
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, yamledit.Scalar(c.Raw(m.Content[i]), c.Raw(m.Content[i+1])))
	}
	return out
}

// convertPDB: policy/v1beta1 → policy/v1 keeps every field, but an empty
// selector changes meaning.
func convertPDB(c *conv) {
	if pdbEmptySelector(c.root) {
		c.risk("%s", pdbEmptySelectorRisk)
	}
}

// pdbEmptySelectorRisk is why moving a PodDisruptionBudget with an empty
// selector to policy/v1 is unsafe: the fix says it, and so does the finding
// (text output builds no fixes).
const pdbEmptySelectorRisk = "an empty spec.selector selects no pods in policy/v1beta1 but every pod in the namespace in policy/v1, " +
	"which can block node drains: give it the labels of the pods to protect, or delete the PodDisruptionBudget if it was a no-op"

func pdbEmptySelector(root *yaml.Node) bool {
	sel := scan.MapGet(scan.MapGet(root, "spec"), "selector")
	return sel != nil && emptySelector(sel)
}

// caveats are sentences a removal finding adds for objects whose move to
// the replacement changes behaviour, by converter name.
var caveats = map[string]func(d *scan.Document) string{
	"pdb": func(d *scan.Document) string {
		root, err := d.Node()
		if err != nil || root == nil || !pdbEmptySelector(root) {
			return ""
		}
		return "Moving it is unsafe: " + pdbEmptySelectorRisk + "."
	},
}

// emptySelector reports whether a label selector is present but selects
// everything: {} or only empty matchLabels/matchExpressions.
func emptySelector(sel *yaml.Node) bool {
	if sel.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(sel.Content); i += 2 {
		v := sel.Content[i+1]
		switch sel.Content[i].Value {
		case "matchLabels", "matchExpressions":
			if len(v.Content) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// convertSubjectAccessReview: authorization.k8s.io/v1 names spec.group
// spec.groups.
func convertSubjectAccessReview(c *conv) {
	if spec := scan.MapGet(c.root, "spec"); has(spec, "group") {
		c.RenameKey(spec, "group", "groups")
		c.note("rename spec.group to spec.groups")
	}
}

// exists reports whether m has key, whatever its value (null included).
func exists(m *yaml.Node, key string) bool {
	k, _ := scan.MapEntry(m, key)
	return k != nil
}

// plural is "1 path", "2 paths".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

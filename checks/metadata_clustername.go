package checks

import (
	"bytes"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

var metadataClusterName = &Rule{
	ID: "metadata-clustername", Title: "metadata.clusterName, removed in 1.25", Severity: Warning, Since: "1.25",
	Rationale: "Kubernetes 1.25 removed the never-used ObjectMeta field clusterName. Strict field validation (kubectl's " +
		"default from 1.25) may reject the manifest as having an unknown field.",
	Fix:     "Delete metadata.clusterName.",
	Example: "metadata:\n  name: web\n  clusterName: prod\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.25.md",
	// Kinds stays empty: any object may carry the field, and parsing every
	// document would undo the signature pass. The rule scans the document's
	// lines and parses it only when a line looks like the field.
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		f := d.File
		if d.EndLine > f.Lines() || !bytes.Contains(f.Data[f.LineStart(d.StartLine):f.LineEnd(d.EndLine)], []byte("clusterName")) {
			return nil
		}
		root, err := d.Node()
		if err != nil {
			return nil
		}
		meta := scan.MapGet(root, "metadata")
		k, v := scan.MapEntry(meta, "clusterName")
		if k == nil {
			return nil
		}
		fd := r.Finding(d, env, scan.PosOf(k), "metadata.clusterName was removed in Kubernetes 1.25 and was never used; strict field "+
			"validation may reject the object for it. Delete the field.")
		if yamledit.BlockMapping(f, meta) && yamledit.StartsLine(f, k) && len(meta.Content) > 2 && scan.LastLine(v) == k.Line {
			fd.Fixes = []Fix{{Description: "Delete metadata.clusterName", Safe: true, Edits: []Edit{yamledit.DeleteLines(f, k.Line, k.Line)}}}
		}
		return []Finding{fd}
	},
}

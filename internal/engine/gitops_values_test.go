package engine

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
	"github.com/kubeready/kubeready/scan"
)

// Flux valuesFrom: the ConfigMaps and Secrets a HelmRelease names are found
// among the repository's files (the release's own file first), decoded, and
// merged in Flux's order (valuesFrom in order, targetPath setting one
// value, spec.values last); one that is missing and not optional leaves the
// release unrendered, with one note saying the values could not be
// resolved.
func TestFluxValuesFrom(t *testing.T) {
	dir := t.TempDir()
	gitRepo(t, dir)
	gate := func(value, apiVersion, kind string) string {
		return "{{- if .Values." + value + ".enabled }}\napiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: x\n{{- end }}\n"
	}
	release := func(name, valuesFrom, values string) string {
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: repo\n  valuesFrom:\n" + valuesFrom + values
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	testfs.WriteFiles(t, dir, map[string]string{
		"charts/web/Chart.yaml":             "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/values.yaml":            "ingress:\n  enabled: false\nhpa:\n  enabled: false\npdb:\n  enabled: false\nlegacy:\n  enabled: false\n",
		"charts/web/templates/ingress.yaml": gate("ingress", "extensions/v1beta1", "Ingress"),
		"charts/web/templates/hpa.yaml":     gate("hpa", "autoscaling/v2beta1", "HorizontalPodAutoscaler"),
		"charts/web/templates/pdb.yaml":     gate("pdb", "policy/v1beta1", "PodDisruptionBudget"),
		"charts/web/templates/legacy.yaml":  gate("legacy", "batch/v1beta1", "CronJob"),
		// another file, the release's namespace
		"config/web-values.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-values\n  namespace: apps\ndata:\n  values.yaml: |\n    ingress:\n      enabled: true\n    pdb:\n      enabled: true\n",
		// same name in another namespace: not the release's
		"config/other-ns.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-values\n  namespace: elsewhere\ndata:\n  values.yaml: |\n    legacy:\n      enabled: true\n",
		"flux/web.yaml": release("web",
			"    - kind: ConfigMap\n      name: web-values\n"+
				"    - kind: Secret\n      name: web-secret\n      valuesKey: hpa\n      targetPath: hpa.enabled\n"+
				"    - kind: ConfigMap\n      name: not-there\n      optional: true\n",
			// spec.values is merged last: the PDB the ConfigMap turns on is off
			"  values:\n    pdb:\n      enabled: false\n") +
			"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\n  namespace: apps\ndata:\n  hpa: " + b64("true") + "\n",
		"flux/broken.yaml": release("broken", "    - kind: Secret\n      name: sealed-elsewhere\n", ""),
		"flux/legacy.yaml": release("legacy", "    - kind: ConfigMap\n      name: legacy-values\n", ""),
		"flux/sops.yaml": release("sops", "    - kind: Secret\n      name: enc\n", "") +
			"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: enc\n  namespace: apps\nstringData:\n  values.yaml: ENC[AES256_GCM,data:xx]\nsops:\n  version: 3.8.1\n",
	})
	e := remoteEngine(false, nil)
	res := e.Scan(context.Background(), scan.Discover([]string{dir}).Inputs)
	all := describe(res.Findings)
	t.Log(all)
	byRelease := func(kind, release string) int {
		n := 0
		for _, f := range res.Findings {
			if f.Kind == kind && strings.Contains(f.Message, "Values: Flux HelmRelease "+release+" ") {
				n++
			}
		}
		return n
	}
	for _, w := range []struct {
		kind, release string
		n             int
	}{
		{"Ingress", "web", 1},                 // the ConfigMap in another file
		{"HorizontalPodAutoscaler", "web", 1}, // the Secret's base64 value at its targetPath
		{"PodDisruptionBudget", "web", 0},     // spec.values wins
		{"CronJob", "legacy", 0},              // the ConfigMap of that name is in another namespace
	} {
		if got := byRelease(w.kind, w.release); got != w.n {
			t.Errorf("%s of release %s: %d findings, want %d\n%s", w.kind, w.release, got, w.n, all)
		}
	}
	notes := map[string]string{}
	for _, s := range res.Skipped {
		notes[s.File[strings.LastIndex(s.File, "/")+1:]] = s.Reason
	}
	t.Log(notes)
	for file, says := range map[string]string{
		"broken.yaml": "valuesFrom Secret sealed-elsewhere (key values.yaml): no such object among the repository's files: the values could not be resolved",
		"legacy.yaml": "valuesFrom ConfigMap legacy-values (key values.yaml): no such object",
		"sops.yaml":   "encrypted (SOPS)",
	} {
		if !strings.Contains(notes[file], says) {
			t.Errorf("%s: note %q, want %q", file, notes[file], says)
		}
	}
	if _, ok := notes["web.yaml"]; ok {
		t.Errorf("web.yaml: %s", notes["web.yaml"])
	}
}

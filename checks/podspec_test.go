package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// podBody is a pod template's metadata and spec at indentation 0.
const podBody = `metadata:
  labels: {app: web}
  annotations:
    example.com/note: "yes"
spec:
  initContainers:
    - name: init
      image: busybox:1.36
  containers:
    - name: app
      image: registry.k8s.io/app:v1
    - name: sidecar
      image: envoy:v1
  ephemeralContainers:
    - name: debug
      image: busybox:1.36
  volumes:
    - name: data
      emptyDir: {}
    - hostPath:
        path: /var/log
      name: logs
`

// indent shifts every non-empty line of s right by n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestPodSpecOf(t *testing.T) {
	cases := []struct {
		apiVersion, kind string
		prefix           string // the lines between the object header and the pod template
		depth            int    // indentation of the template's keys
		path             string
	}{
		{"v1", "Pod", "", 0, "spec"},
		{"v1", "PodTemplate", "template:\n", 2, "template.spec"},
		{"apps/v1", "Deployment", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"extensions/v1beta1", "Deployment", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1beta1", "Deployment", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1beta2", "Deployment", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1", "ReplicaSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"extensions/v1beta1", "ReplicaSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1", "StatefulSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1beta1", "StatefulSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"apps/v1", "DaemonSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"extensions/v1beta1", "DaemonSet", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"v1", "ReplicationController", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"batch/v1", "Job", "spec:\n  template:\n", 4, "spec.template.spec"},
		{"batch/v1", "CronJob", "spec:\n  jobTemplate:\n    spec:\n      template:\n", 8, "spec.jobTemplate.spec.template.spec"},
		{"batch/v1beta1", "CronJob", "spec:\n  jobTemplate:\n    spec:\n      template:\n", 8, "spec.jobTemplate.spec.template.spec"},
		{"batch/v2alpha1", "CronJob", "spec:\n  jobTemplate:\n    spec:\n      template:\n", 8, "spec.jobTemplate.spec.template.spec"},
	}
	for _, c := range cases {
		t.Run(c.apiVersion+"/"+c.kind, func(t *testing.T) {
			head := fmt.Sprintf("apiVersion: %s\nkind: %s\n", c.apiVersion, c.kind)
			if c.kind != "Pod" {
				head += "metadata:\n  name: x\n"
			}
			src := head + c.prefix + indent(podBody, c.depth)
			base := strings.Count(head+c.prefix, "\n") // file line of the template's first line, minus one
			docs, _ := scan.Parse(scan.NewFile("x.yaml", []byte(src)))
			p := PodSpecOf(docs[0])
			if p == nil {
				t.Fatalf("no pod spec in\n%s", src)
			}
			if p.Path != c.path {
				t.Errorf("Path = %q, want %q", p.Path, c.path)
			}
			var got []string
			for _, ct := range p.Containers {
				got = append(got, fmt.Sprintf("%s/%s %s @%d:%d", ct.List, ct.Name, ct.Image, ct.ImageNode.Line-base, ct.ImageNode.Column-c.depth))
			}
			want := []string{
				"containers/app registry.k8s.io/app:v1 @11:14",
				"containers/sidecar envoy:v1 @13:14",
				"initContainers/init busybox:1.36 @8:14",
				"ephemeralContainers/debug busybox:1.36 @16:14",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("containers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			var vols []string
			for _, v := range p.Volumes {
				vols = append(vols, fmt.Sprintf("%s=%s @%d", v.Name, v.Source, v.SourceKey.Line-base))
			}
			if w := "data=emptyDir @19,logs=hostPath @20"; strings.Join(vols, ",") != w {
				t.Errorf("volumes = %s, want %s", strings.Join(vols, ","), w)
			}
			if p.Annotations == nil || scan.StringValue(scan.MapPath(p.Annotations, "example.com/note")) != "yes" || scan.StringValue(scan.MapPath(p.Labels, "app")) != "web" {
				t.Errorf("annotations or labels not read")
			}
			if p.Container("sidecar") == nil || p.Volume("logs") == nil || p.Container("nope") != nil {
				t.Errorf("lookups by name failed")
			}
		})
	}
}

func TestPodSpecOfSkips(t *testing.T) {
	for name, src := range map[string]string{
		"custom Job":       "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]\n",
		"custom Pod":       "apiVersion: example.com/v1\nkind: Pod\nspec:\n  containers: [{name: a, image: b}]\n",
		"ConfigMap":        "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n",
		"no template":      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n",
		"spec not mapping": "apiVersion: v1\nkind: Pod\nspec: [1, 2]\n",
	} {
		docs, _ := scan.Parse(scan.NewFile("x.yaml", []byte(src)))
		if p := PodSpecOf(docs[0]); p != nil {
			t.Errorf("%s: got a pod spec, want none", name)
		}
	}
}

func TestPodSpecOfListAndFlow(t *testing.T) {
	src := `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      template:
        spec: {containers: [{name: a, image: k8s.gcr.io/a:1}], volumes: [{name: s, hostPath: {path: /var/run/docker.sock}}]}
`
	docs, _ := scan.Parse(scan.NewFile("x.yaml", []byte(src)))
	if len(docs) != 1 {
		t.Fatalf("got %d documents", len(docs))
	}
	p := PodSpecOf(docs[0])
	if p == nil || len(p.Containers) != 1 || len(p.Volumes) != 1 {
		t.Fatalf("pod spec of a List item in flow style not read: %+v", p)
	}
	if got := scan.PosOf(p.Containers[0].ImageNode); got != (scan.Pos{Line: 9, Col: 46}) {
		t.Errorf("image position = %v, want 9:46", got)
	}
}

package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var dockerDataDir = &Rule{
	ID: "docker-data-dir", Title: "Mounts a Docker data directory, empty on containerd nodes", Severity: Info, Since: "1.24",
	Rationale: "Log and monitoring agents often mount /var/lib/docker/containers to read container logs. On containerd " +
		"nodes (every EKS node from 1.24) the directory exists but stays empty: the pod starts and runs, but finds no logs " +
		"there. Nothing breaks at the upgrade, so this is information, not an error; the Docker socket itself is " +
		"dockershim-socket (error).",
	Fix:     "Read container logs from /var/log/pods (and /var/log/containers), then drop the mount.",
	Example: "volumes:\n  - name: docker-logs\n    hostPath:\n      path: /var/lib/docker/containers\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/dockershim-deprecation.html",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, v := range p.Volumes {
			if v.Source != "hostPath" {
				continue
			}
			pathNode := scan.MapGet(v.SourceValue, "path")
			path := strings.TrimRight(scan.ScalarValue(pathNode), "/")
			if path != "/var/lib/docker" && !strings.HasPrefix(path, "/var/lib/docker/") {
				continue
			}
			out = append(out, r.Finding(d, env, scan.PosOf(pathNode), fmt.Sprintf("hostPath %s exists only on Docker nodes: "+
				"from Kubernetes 1.24 (containerd) it is empty, so an agent reading container logs there sees nothing "+
				"(harmless otherwise). Read /var/log/pods instead.", path)))
		}
		return out
	}),
}

package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var dockershimSocket = &Rule{
	ID: "dockershim-socket", Title: "Mounts the Docker socket, gone with dockershim", Severity: Error, Since: "1.24",
	Rationale: "Kubernetes 1.24 removed dockershim; EKS nodes from 1.24 run containerd only, so /var/run/docker.sock " +
		"does not exist. Pods that mount it (image builds, monitoring and logging agents) fail to start or cannot reach " +
		"Docker. Only the sockets are reported here, as errors: the Docker data directories (/var/lib/docker, " +
		"/var/lib/docker/containers) are harmless to mount on containerd nodes and are the docker-data-dir rule (info).",
	Fix: "Use containerd-aware tooling: the agent's containerd mode (/run/containerd/containerd.sock), kaniko or " +
		"BuildKit for image builds, and /var/log/pods for container logs.",
	Example: "volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/dockershim-deprecation.html",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		reported := map[string]bool{}
		containerd := map[string]bool{}
		for _, v := range p.Volumes {
			if v.Source != "hostPath" {
				continue
			}
			pathNode := scan.MapGet(v.SourceValue, "path")
			path := scan.ScalarValue(pathNode)
			switch {
			case dockerSocket(path):
				reported[v.Name] = true
				out = append(out, r.Finding(d, env, scan.PosOf(pathNode), fmt.Sprintf("hostPath %s is the Docker socket, which does not exist "+
					"from Kubernetes 1.24 (EKS nodes run containerd only): the pod fails to start or cannot reach Docker. "+
					"Use containerd-aware tooling (/run/containerd/containerd.sock, kaniko or BuildKit for builds).", path)))
			case strings.HasSuffix(path, "containerd.sock"):
				containerd[v.Name] = true
			}
		}
		for _, c := range p.Containers {
			for _, m := range scan.Items(scan.MapGet(c.Node, "volumeMounts")) {
				mp := scan.MapGet(m, "mountPath")
				name := scan.StringValue(scan.MapGet(m, "name"))
				if !dockerSocket(scan.ScalarValue(mp)) || reported[name] || containerd[name] {
					continue
				}
				out = append(out, r.Finding(d, env, scan.PosOf(mp), fmt.Sprintf("Container %s mounts volume %s at %s, where it expects the "+
					"Docker socket, which nothing serves from Kubernetes 1.24 (containerd only). Use containerd-aware tooling instead.", c.Name, name, scan.ScalarValue(mp))))
			}
		}
		return out
	}),
}

// dockerSocket reports whether a path names the Docker or dockershim socket.
func dockerSocket(p string) bool {
	return strings.Contains(p, "docker.sock") || strings.Contains(p, "dockershim.sock")
}

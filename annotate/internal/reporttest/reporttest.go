// Package reporttest holds the reports the tests and benchmarks of
// annotate and annotate/github share.
package reporttest

import (
	"fmt"

	"github.com/kubeready/kubeready/checks"
)

// ManyFindings makes n findings spread over files, seven to a file, every
// third an error.
func ManyFindings(n int) []checks.Finding {
	var fs []checks.Finding
	for i := 0; i < n; i++ {
		sev := checks.Warning
		if i%3 == 0 {
			sev = checks.Error
		}
		fs = append(fs, checks.Finding{Rule: "api-deprecated", Severity: sev, File: fmt.Sprintf("charts/app%03d/templates/deployment.yaml", i/7),
			Line: 10 + i%7, Column: 1, Message: fmt.Sprintf("Deployment apps/v1beta2 number %d is not served by Kubernetes 1.25: it was removed in 1.16. Use apps/v1.", i),
			URL: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#deployment-v116"})
	}
	return fs
}

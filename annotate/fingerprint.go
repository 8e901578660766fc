package annotate

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/kubeready/kubeready/checks"
)

// Fingerprints returns a stable identity for each finding, in order: a hash
// of the rule, the file, the object (apiVersion, kind, namespace, name) and
// the message, plus an occurrence number for identical findings in one file.
// The line is left out, so a finding keeps its identity when lines above it
// move. SARIF's partialFingerprints and the review comments' markers use it.
func Fingerprints(fs []checks.Finding) []string {
	out := make([]string, len(fs))
	seen := map[string]int{}
	for i, f := range fs {
		h := sha256.Sum256([]byte(strings.Join([]string{
			f.Rule, f.File, f.APIVersion, f.Kind, f.Namespace, f.Name, f.Message,
		}, "\x00")))
		key := hex.EncodeToString(h[:8])
		seen[key]++
		out[i] = key + ":" + strconv.Itoa(seen[key])
	}
	return out
}
